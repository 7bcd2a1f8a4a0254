using MassTransit.Configuration;

namespace Persisters.Transports.Shared.Topology;

/// <summary>
/// The send, publish and consume topology of a transport's bus or of one of its receive endpoints, as the generic
/// configuration bases need it (see <see cref="TransportTopologyConfiguration{TSelf, TPublish, TConsume}"/>).
/// </summary>
/// <typeparam name="TTopology">The transport's own topology configuration type.</typeparam>
internal interface ITransportTopologyConfiguration<out TTopology> : ITopologyConfiguration
    where TTopology : ITransportTopologyConfiguration<TTopology>
{
    /// <summary>The consume topology, whose message topologies subscribe the endpoint's queue to published types.</summary>
    new TransportConsumeTopology Consume { get; }

    /// <summary>A receive endpoint's topology: shares message, send and publish topology with this one, has its own consume topology.</summary>
    TTopology CreateEndpointTopology();
}
