using MassTransit;
using Persisters.Transports.AmazonSqs.Configuration;
using Persisters.Transports.Shared.Topology;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AmazonSqs.Transport;

internal sealed class SqsHost(SqsHostConfiguration hostConfiguration, TransportBusTopology busTopology)
    : TransportHost<SqsHostConfiguration, IAmazonSqsReceiveEndpointConfigurator>(hostConfiguration, busTopology)
{
    protected override void Probe(ProbeContext context)
    {
        context.Add("type", "AmazonSqs (Persisters)");
        context.Add("region", HostConfiguration.Settings.Region);
        context.Add("queueNamePrefix", HostConfiguration.Settings.QueueNamePrefix);
    }

    protected override IAgent[] GetAgentHandles() => [HostConfiguration.Broker];
}
