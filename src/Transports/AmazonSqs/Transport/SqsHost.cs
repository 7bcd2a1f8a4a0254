using MassTransit;
using Persisters.Transports.AmazonSqs.Configuration;
using Persisters.Transports.Shared.Topology;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AmazonSqs.Transport;

internal sealed class SqsHost(SqsHostConfiguration hostConfiguration, TransportBusTopology busTopology)
    : TransportHost<SqsHostConfiguration, SqsReceiveEndpointConfiguration, IAmazonSqsReceiveEndpointConfigurator>(hostConfiguration, busTopology)
{
    protected override SqsReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName,
        Action<IAmazonSqsReceiveEndpointConfigurator>? configure) =>
        HostConfiguration.CreateReceiveEndpointConfiguration(queueName, configure);

    protected override void Build(SqsReceiveEndpointConfiguration configuration) => configuration.Build(this);

    protected override void ApplyEndpointDefinition(IAmazonSqsReceiveEndpointConfigurator configurator, IEndpointDefinition definition) =>
        HostConfiguration.ApplyEndpointDefinition(configurator, definition);

    protected override void Probe(ProbeContext context)
    {
        context.Add("type", "AmazonSqs (Persisters)");
        context.Add("region", HostConfiguration.Settings.Region);
        context.Add("queueNamePrefix", HostConfiguration.Settings.QueueNamePrefix);
    }

    protected override IAgent[] GetAgentHandles() => [HostConfiguration.Broker];
}
