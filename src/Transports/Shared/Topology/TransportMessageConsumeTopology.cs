using MassTransit;

namespace Persisters.Transports.Shared.Topology;

/// <summary>
/// The consume topology of one message type on one receive endpoint, for a transport whose endpoint queue subscribes to
/// published messages (an SQS queue tag, a Service Bus topic subscription): MassTransit's <c>Subscribe()</c> of
/// <c>IAmazonSqsMessageConsumeTopologyConfigurator</c> and <c>IServiceBusMessageConsumeTopologyConfigurator</c>.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
internal sealed class TransportMessageConsumeTopology<T> : MessageConsumeTopology<T>
    where T : class
{
    private readonly TransportConsumeTopology _owner;

    public TransportMessageConsumeTopology(TransportConsumeTopology owner)
    {
        _owner = owner;
    }

    /// <summary>Whether <typeparamref name="T"/> can be published, and so subscribed to (MassTransit's <c>GlobalTopology.IsConsumableMessageType</c>).</summary>
    public bool IsBindable => IsBindableMessageType;

    /// <summary>Subscribes the endpoint's queue to published <typeparamref name="T"/> if <see cref="IsBindable"/>; otherwise does nothing. Idempotent.</summary>
    public void Subscribe()
    {
        if (IsBindable)
            _owner.Subscribe<T>();
    }
}
