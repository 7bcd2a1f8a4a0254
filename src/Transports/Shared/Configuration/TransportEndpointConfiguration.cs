using MassTransit.Configuration;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.Shared.Configuration;

/// <summary>
/// The pipes, serialization and topology of a transport's bus (the root, see <see cref="TransportBusConfiguration{TTopology}"/>)
/// or of one of its receive endpoints, with the topology as the transport's own type.
/// </summary>
/// <typeparam name="TTopology">The transport's topology configuration.</typeparam>
internal class TransportEndpointConfiguration<TTopology> : EndpointConfiguration
    where TTopology : ITransportTopologyConfiguration<TTopology>
{
    /// <summary>The bus's root configuration.</summary>
    protected TransportEndpointConfiguration(TTopology topology)
        : base(topology)
    {
        Topology = topology;
    }

    private TransportEndpointConfiguration(IEndpointConfiguration parent, TTopology topology, bool isBusEndpoint)
        : base(parent, topology, isBusEndpoint)
    {
        Topology = topology;
    }

    public new TTopology Topology { get; }

    /// <summary>A receive endpoint's configuration: inherits this one's pipes and serialization, with its own consume topology.</summary>
    /// <param name="isBusEndpoint">True for the bus's own (temporary) endpoint.</param>
    public TransportEndpointConfiguration<TTopology> CreateEndpointConfiguration(bool isBusEndpoint = false) =>
        new(this, Topology.CreateEndpointTopology(), isBusEndpoint);
}
