using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>Consume topology of one message type: subscribing forwards the topic of the type to the endpoint's queue.</summary>
internal sealed class ServiceBusMessageConsumeTopology<T> : TransportMessageConsumeTopology<T>
    where T : class
{
    private readonly ServiceBusConsumeTopology _owner;

    public ServiceBusMessageConsumeTopology(ServiceBusConsumeTopology owner)
    {
        _owner = owner;
    }

    /// <summary>Subscribes the endpoint's queue to the topic of <typeparamref name="T"/> with a subscription of this name, if it is a type that can be published.</summary>
    public void Subscribe(string subscriptionName)
    {
        if (IsBindableMessageType)
            _owner.Subscribe(_owner.TopicPath<T>(), subscriptionName);
    }

    /// <summary>A subscription with the endpoint's generated name.</summary>
    protected override void AddSubscription() => _owner.Subscribe(_owner.TopicPath<T>(), null);
}
