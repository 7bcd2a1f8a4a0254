using MassTransit.Configuration;
using MassTransit.Transports;

namespace Persisters.Transports.AzureServiceBus.Topology;

internal sealed class ServiceBusBusTopology : BusTopology
{
    public ServiceBusBusTopology(IHostConfiguration hostConfiguration, ITopologyConfiguration configuration)
        : base(hostConfiguration, configuration)
    {
    }
}
