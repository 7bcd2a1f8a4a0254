using MassTransit;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.AmazonSqs.Topology;

/// <summary>Consume topology of one endpoint: the message URNs its queue subscribes to (recorded as queue tags).</summary>
internal sealed class SqsConsumeTopology : TransportConsumeTopology
{
    private readonly HashSet<string> _subscriptions = new(StringComparer.Ordinal);

    public SqsConsumeTopology()
        : base(80)
    {
    }

    public IReadOnlyCollection<string> Subscriptions
    {
        get
        {
            lock (_subscriptions)
                return _subscriptions.Order(StringComparer.Ordinal).ToList();
        }
    }

    public void AddSubscription(string messageUrn)
    {
        lock (_subscriptions)
            _subscriptions.Add(messageUrn);
    }

    /// <summary>Records the message URN of <typeparamref name="T"/> (<c>urn:message:Namespace:Type</c>).</summary>
    internal override void Subscribe<T>() => AddSubscription(MessageUrn.ForTypeString<T>());
}
