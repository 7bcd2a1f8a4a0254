using MassTransit.Configuration;
using Persisters.Transports.AmazonSqs.Topology;

namespace Persisters.Transports.AmazonSqs.Configuration;

internal class SqsEndpointConfiguration : EndpointConfiguration
{
    protected SqsEndpointConfiguration(SqsTopologyConfiguration topology)
        : base(topology)
    {
        SqsTopology = topology;
    }

    private SqsEndpointConfiguration(IEndpointConfiguration parent, SqsTopologyConfiguration topology, bool isBusEndpoint)
        : base(parent, topology, isBusEndpoint)
    {
        SqsTopology = topology;
    }

    public SqsTopologyConfiguration SqsTopology { get; }

    public SqsEndpointConfiguration CreateEndpointConfiguration(bool isBusEndpoint = false) =>
        new(this, new SqsTopologyConfiguration(SqsTopology), isBusEndpoint);
}
