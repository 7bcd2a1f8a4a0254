using MassTransit.Configuration;
using Persisters.Transports.AzureServiceBus.Topology;

namespace Persisters.Transports.AzureServiceBus.Configuration;

internal class ServiceBusEndpointConfiguration : EndpointConfiguration
{
    protected ServiceBusEndpointConfiguration(ServiceBusTopologyConfiguration topology)
        : base(topology)
    {
        ServiceBusTopology = topology;
    }

    private ServiceBusEndpointConfiguration(IEndpointConfiguration parent, ServiceBusTopologyConfiguration topology, bool isBusEndpoint)
        : base(parent, topology, isBusEndpoint)
    {
        ServiceBusTopology = topology;
    }

    public ServiceBusTopologyConfiguration ServiceBusTopology { get; }

    public ServiceBusEndpointConfiguration CreateEndpointConfiguration(bool isBusEndpoint = false) =>
        new(this, new ServiceBusTopologyConfiguration(ServiceBusTopology), isBusEndpoint);
}
