using System.Diagnostics.CodeAnalysis;
using Azure.Messaging.ServiceBus.Administration;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Topology;
using MassTransit.Transports;

namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>Send, publish and consume topology of one endpoint (or of the bus, for the root instance).</summary>
internal sealed class ServiceBusTopologyConfiguration : ITopologyConfiguration
{
    readonly IMessageTopologyConfigurator _message;
    readonly ISendTopologyConfigurator _send;
    readonly ServiceBusPublishTopology _publish;
    readonly ServiceBusConsumeTopology _consume;

    public ServiceBusTopologyConfiguration(IMessageTopologyConfigurator message)
    {
        _message = message;
        _send = new SendTopology();
        _send.ConnectSendTopologyConfigurationObserver(new DelegateSendTopologyConfigurationObserver(GlobalTopology.Send));
        _publish = new ServiceBusPublishTopology(message);
        _publish.ConnectPublishTopologyConfigurationObserver(new DelegatePublishTopologyConfigurationObserver(GlobalTopology.Publish));
        _publish.ConnectPublishTopologyConfigurationObserver(new PublishToSendTopologyConfigurationObserver(_send));
        _consume = new ServiceBusConsumeTopology(message);
    }

    /// <summary>An endpoint's topology: shares message, send and publish topology with the bus, has its own consume topology.</summary>
    public ServiceBusTopologyConfiguration(ServiceBusTopologyConfiguration parent)
    {
        _message = parent._message;
        _send = parent._send;
        _publish = parent._publish;
        _consume = new ServiceBusConsumeTopology(parent._message);
    }

    /// <summary>Topic names from message types as MassTransit's Service Bus package forms them.</summary>
    public static IMessageTopologyConfigurator CreateMessageTopology() =>
        new MessageTopology(new MessageNameFormatterEntityNameFormatter(new ServiceBusMessageNameFormatter()));

    public IMessageTopologyConfigurator Message => _message;
    public ISendTopologyConfigurator Send => _send;
    public IPublishTopologyConfigurator Publish => _publish;
    public IConsumeTopologyConfigurator Consume => _consume;
    public ServiceBusPublishTopology ServiceBusPublish => _publish;
    public ServiceBusConsumeTopology ServiceBusConsume => _consume;

    public IEnumerable<ValidationResult> Validate() => _send.Validate().Concat(_publish.Validate()).Concat(_consume.Validate());
}

/// <summary>Publish topology: a topic per message type, and forwarding subscriptions to the topics of the types it implements.</summary>
internal sealed class ServiceBusPublishTopology : PublishTopology
{
    readonly IMessageTopology _messageTopology;

    public ServiceBusPublishTopology(IMessageTopology messageTopology)
    {
        _messageTopology = messageTopology;
    }

    /// <summary>The topic a message type is published to.</summary>
    public string TopicPath<T>() where T : class => _messageTopology.GetMessageTopology<T>().EntityName;

    /// <summary>
    /// The entities a publish of <typeparamref name="T"/> needs: its topic, the topics of the other message types it can be
    /// consumed as (its interfaces and base types), and a subscription on its topic forwarding to each of them, so that
    /// consumers of an implemented type get the message too (one hop, fewer than Service Bus's limit of four).
    /// </summary>
    public PublishEntities GetPublishEntities<T>() where T : class
    {
        var topic = TopicPath<T>();
        var implemented = new List<string>();
        foreach (var type in MessageTypeCache<T>.MessageTypes)
        {
            if (type == typeof(T) || !MessageTypeCache.IsValidMessageType(type))
                continue;
            var path = TopicPath(type);
            if (!string.Equals(path, topic, StringComparison.Ordinal) && ServiceBusNames.IsValidEntityPath(path))
                implemented.Add(path);
        }
        return new PublishEntities(topic, implemented.Distinct(StringComparer.Ordinal).ToList());
    }

    string TopicPath(Type messageType) =>
        (string)typeof(ServiceBusPublishTopology).GetMethod(nameof(TopicPath), 1, Type.EmptyTypes)!.MakeGenericMethod(messageType).Invoke(this, null)!;

    protected override IMessagePublishTopologyConfigurator CreateMessageTopology<T>()
    {
        var topology = new ServiceBusMessagePublishTopology<T>(this);
        OnMessageTopologyCreated(topology);
        return topology;
    }
}

/// <summary>A message type's topic and the topics it forwards to (see <see cref="ServiceBusPublishTopology.GetPublishEntities{T}"/>).</summary>
internal sealed record PublishEntities(string TopicPath, IReadOnlyList<string> ImplementedTopicPaths)
{
    public IEnumerable<CreateSubscriptionOptions> ForwardingSubscriptions() =>
        ImplementedTopicPaths.Select(destination => new CreateSubscriptionOptions(TopicPath, ServiceBusNames.HierarchySubscriptionName(destination))
        {
            ForwardTo = destination,
        });
}

internal sealed class ServiceBusMessagePublishTopology<T> : MessagePublishTopology<T>
    where T : class
{
    readonly ServiceBusPublishTopology _owner;

    public ServiceBusMessagePublishTopology(ServiceBusPublishTopology owner)
        : base(owner)
    {
        _owner = owner;
    }

    public override bool TryGetPublishAddress(Uri baseAddress, [NotNullWhen(true)] out Uri? publishAddress)
    {
        publishAddress = new ServiceBusAddress(ServiceBusEntityType.Topic, _owner.TopicPath<T>()).ToUri(baseAddress);
        return true;
    }
}

/// <summary>A subscription of an endpoint's queue to a topic: the topic path and the subscription's name.</summary>
internal sealed record TopicSubscription(string TopicPath, string? SubscriptionName);

/// <summary>Consume topology of one endpoint: the topics its queue subscribes to.</summary>
internal sealed class ServiceBusConsumeTopology : ConsumeTopology
{
    readonly IMessageTopology _messageTopology;
    readonly List<TopicSubscription> _subscriptions = [];

    public ServiceBusConsumeTopology(IMessageTopology messageTopology)
        : base(ServiceBusNames.MaxEntityPathLength)
    {
        _messageTopology = messageTopology;
    }

    /// <summary>The topics to subscribe to; a null name means the endpoint's generated subscription name.</summary>
    public IReadOnlyList<TopicSubscription> Subscriptions
    {
        get
        {
            lock (_subscriptions)
                return _subscriptions.Distinct().ToList();
        }
    }

    public void Subscribe(string topicPath, string? subscriptionName)
    {
        if (!ServiceBusNames.IsValidEntityPath(topicPath))
            throw new ArgumentException($"'{topicPath}' is not a valid topic path.", nameof(topicPath));
        if (subscriptionName is not null && !ServiceBusNames.IsValidSubscriptionName(subscriptionName))
            throw new ArgumentException($"'{subscriptionName}' is not a valid subscription name (1–50 letters, digits, '.', '-', '_').", nameof(subscriptionName));
        lock (_subscriptions)
            _subscriptions.Add(new TopicSubscription(topicPath, subscriptionName));
    }

    public ServiceBusMessageConsumeTopology<T> GetServiceBusMessageTopology<T>() where T : class =>
        (ServiceBusMessageConsumeTopology<T>)GetMessageTopology<T>();

    public string TopicPath<T>() where T : class => _messageTopology.GetMessageTopology<T>().EntityName;

    protected override IMessageConsumeTopologyConfigurator CreateMessageTopology<T>()
    {
        var topology = new ServiceBusMessageConsumeTopology<T>(this);
        OnMessageTopologyCreated(topology);
        return topology;
    }
}

internal sealed class ServiceBusMessageConsumeTopology<T> : MessageConsumeTopology<T>
    where T : class
{
    readonly ServiceBusConsumeTopology _owner;

    public ServiceBusMessageConsumeTopology(ServiceBusConsumeTopology owner)
    {
        _owner = owner;
    }

    /// <summary>Subscribes the endpoint's queue to the topic of <typeparamref name="T"/>, if it is a type that can be published.</summary>
    public void Subscribe(string? subscriptionName = null)
    {
        if (IsBindableMessageType)
            _owner.Subscribe(_owner.TopicPath<T>(), subscriptionName);
    }
}

internal sealed class ServiceBusBusTopology : BusTopology
{
    public ServiceBusBusTopology(IHostConfiguration hostConfiguration, ITopologyConfiguration configuration)
        : base(hostConfiguration, configuration)
    {
    }
}
