using System.Diagnostics.CodeAnalysis;
using MassTransit.Topology;

namespace Persisters.Transports.AzureServiceBus.Topology;

internal sealed class ServiceBusMessagePublishTopology<T> : MessagePublishTopology<T>
    where T : class
{
    private readonly ServiceBusPublishTopology _owner;

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
