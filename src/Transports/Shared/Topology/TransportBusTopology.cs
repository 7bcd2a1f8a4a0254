using MassTransit.Configuration;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Topology;

/// <summary>The bus topology (send and publish topology of the bus, for <c>IBus.Topology</c>) of a Persisters transport.</summary>
internal sealed class TransportBusTopology : BusTopology
{
    public TransportBusTopology(IHostConfiguration hostConfiguration, ITopologyConfiguration configuration)
        : base(hostConfiguration, configuration)
    {
    }
}
