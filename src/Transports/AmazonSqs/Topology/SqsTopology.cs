using System.Diagnostics.CodeAnalysis;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Topology;
using MassTransit.Transports;

namespace Persisters.Transports.AmazonSqs.Topology;

/// <summary>Send, publish and consume topology of one endpoint (or of the bus, for the root instance).</summary>
internal sealed class SqsTopologyConfiguration : ITopologyConfiguration
{
    readonly IMessageTopologyConfigurator _message;
    readonly ISendTopologyConfigurator _send;
    readonly SqsPublishTopology _publish;
    readonly SqsConsumeTopology _consume;

    public SqsTopologyConfiguration(IMessageTopologyConfigurator message)
    {
        _message = message;
        _send = new SendTopology();
        _send.ConnectSendTopologyConfigurationObserver(new DelegateSendTopologyConfigurationObserver(GlobalTopology.Send));
        _publish = new SqsPublishTopology();
        _publish.ConnectPublishTopologyConfigurationObserver(new DelegatePublishTopologyConfigurationObserver(GlobalTopology.Publish));
        _publish.ConnectPublishTopologyConfigurationObserver(new PublishToSendTopologyConfigurationObserver(_send));
        _consume = new SqsConsumeTopology();
    }

    /// <summary>An endpoint's topology: shares message, send and publish topology with the bus, has its own consume topology.</summary>
    public SqsTopologyConfiguration(SqsTopologyConfiguration parent)
    {
        _message = parent._message;
        _send = parent._send;
        _publish = parent._publish;
        _consume = new SqsConsumeTopology();
    }

    public static IMessageTopologyConfigurator CreateMessageTopology() => new MessageTopology(new MessageUrnEntityNameFormatter());

    public IMessageTopologyConfigurator Message => _message;
    public ISendTopologyConfigurator Send => _send;
    public IPublishTopologyConfigurator Publish => _publish;
    public IConsumeTopologyConfigurator Consume => _consume;
    public SqsConsumeTopology SqsConsume => _consume;

    public IEnumerable<ValidationResult> Validate() => _send.Validate().Concat(_publish.Validate()).Concat(_consume.Validate());
}

/// <summary>
/// Publish topology: a published message goes to every queue subscribed to one of its message types. The publish
/// address names the message type; the transport resolves the subscribed queues when it sends.
/// </summary>
internal sealed class SqsPublishTopology : PublishTopology
{
    protected override IMessagePublishTopologyConfigurator CreateMessageTopology<T>()
    {
        var topology = new SqsMessagePublishTopology<T>(this);
        OnMessageTopologyCreated(topology);
        return topology;
    }
}

internal sealed class SqsMessagePublishTopology<T> : MessagePublishTopology<T>
    where T : class
{
    public SqsMessagePublishTopology(IPublishTopology publishTopology)
        : base(publishTopology)
    {
    }

    public override bool TryGetPublishAddress(Uri baseAddress, [NotNullWhen(true)] out Uri? publishAddress)
    {
        publishAddress = SqsAddress.ForPublish(baseAddress, MessageUrn.ForTypeString<T>());
        return true;
    }
}

/// <summary>Consume topology of one endpoint: the message URNs its queue subscribes to (recorded as queue tags).</summary>
internal sealed class SqsConsumeTopology : ConsumeTopology
{
    readonly HashSet<string> _subscriptions = new(StringComparer.Ordinal);

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

    public SqsMessageConsumeTopology<T> GetSqsMessageTopology<T>() where T : class => (SqsMessageConsumeTopology<T>)GetMessageTopology<T>();

    protected override IMessageConsumeTopologyConfigurator CreateMessageTopology<T>()
    {
        var topology = new SqsMessageConsumeTopology<T>(this);
        OnMessageTopologyCreated(topology);
        return topology;
    }
}

internal sealed class SqsMessageConsumeTopology<T> : MessageConsumeTopology<T>
    where T : class
{
    readonly SqsConsumeTopology _owner;

    public SqsMessageConsumeTopology(SqsConsumeTopology owner)
    {
        _owner = owner;
    }

    /// <summary>Subscribes the endpoint's queue to published <typeparamref name="T"/>, if it is a message type that can be published.</summary>
    public void Subscribe()
    {
        if (IsBindableMessageType)
            _owner.AddSubscription(MessageUrn.ForTypeString<T>());
    }
}

internal sealed class SqsBusTopology : BusTopology
{
    public SqsBusTopology(IHostConfiguration hostConfiguration, ITopologyConfiguration configuration)
        : base(hostConfiguration, configuration)
    {
    }
}

/// <summary>
/// Addresses: <c>amazonsqs://REGION/QUEUE</c> for a queue (the logical name, without the host's queue prefix),
/// <c>queue:QUEUE</c> as MassTransit's short form, and <c>amazonsqs://REGION/_publish/URN</c> for a publish address.
/// </summary>
internal static class SqsAddress
{
    const string PublishSegment = "_publish";

    public static Uri ForQueue(Uri hostAddress, string queueName) => new($"{hostAddress.Scheme}://{hostAddress.Authority}/{queueName}");

    public static Uri ForPublish(Uri hostAddress, string messageUrn) =>
        new($"{hostAddress.Scheme}://{hostAddress.Authority}/{PublishSegment}/{Uri.EscapeDataString(messageUrn)}");

    /// <summary>The logical queue name an address points at.</summary>
    public static string GetQueueName(Uri address)
    {
        switch (address.Scheme.ToLowerInvariant())
        {
            case "queue":
                return TrimQuery(address.OriginalString["queue:".Length..]);
            case AmazonSqsHostSettings.Scheme:
                var segments = address.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
                if (segments.Length == 0)
                    throw new ArgumentException($"The address {address} names no queue.", nameof(address));
                if (segments[0] == PublishSegment)
                    throw new ArgumentException($"The address {address} is a publish address, not a queue.", nameof(address));
                return Uri.UnescapeDataString(segments[^1]);
            default:
                throw new ArgumentException(
                    $"The Amazon SQS transport cannot send to {address}: use amazonsqs://REGION/QUEUE or queue:QUEUE.", nameof(address));
        }
    }

    static string TrimQuery(string text)
    {
        var q = text.IndexOf('?');
        return q >= 0 ? text[..q] : text;
    }
}
