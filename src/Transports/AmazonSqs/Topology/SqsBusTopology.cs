using MassTransit.Configuration;
using MassTransit.Transports;

namespace Persisters.Transports.AmazonSqs.Topology;

internal sealed class SqsBusTopology : BusTopology
{
    public SqsBusTopology(IHostConfiguration hostConfiguration, ITopologyConfiguration configuration)
        : base(hostConfiguration, configuration)
    {
    }
}
