using MassTransit;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>Consume topology of one endpoint: the topics its queue subscribes to.</summary>
internal sealed class ServiceBusConsumeTopology : TransportConsumeTopology
{
    private readonly IMessageTopology _messageTopology;
    private readonly List<TopicSubscription> _subscriptions = [];

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

    /// <summary>Subscribes the queue to the topic of <typeparamref name="T"/> with a subscription of this name, if <typeparamref name="T"/> can be published.</summary>
    public void Subscribe<T>(string subscriptionName) where T : class
    {
        if (GetTransportMessageTopology<T>().IsBindable)
            Subscribe(TopicPath<T>(), subscriptionName);
    }

    public string TopicPath<T>() where T : class => _messageTopology.GetMessageTopology<T>().EntityName;

    /// <summary>A subscription with the endpoint's generated name to the topic of <typeparamref name="T"/>.</summary>
    internal override void Subscribe<T>() => Subscribe(TopicPath<T>(), null);
}
