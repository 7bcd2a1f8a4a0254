using MassTransit;

namespace Persisters.Transports.AzureServiceBus.Topology;

internal sealed class ServiceBusMessageConsumeTopology<T> : MessageConsumeTopology<T>
    where T : class
{
    private readonly ServiceBusConsumeTopology _owner;

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
