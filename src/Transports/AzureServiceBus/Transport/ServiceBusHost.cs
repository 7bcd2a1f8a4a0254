using MassTransit;
using Persisters.Transports.AzureServiceBus.Configuration;
using Persisters.Transports.Shared.Topology;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AzureServiceBus.Transport;

internal sealed class ServiceBusHost(ServiceBusHostConfiguration hostConfiguration, TransportBusTopology busTopology)
    : TransportHost<ServiceBusHostConfiguration, IServiceBusReceiveEndpointConfigurator>(hostConfiguration, busTopology)
{
    protected override void Probe(ProbeContext context)
    {
        context.Add("type", "AzureServiceBus (Persisters)");
        context.Add("namespace", HostConfiguration.Settings.FullyQualifiedNamespace);
        context.Add("scope", HostConfiguration.Settings.Scope);
        context.Add("createEntities", HostConfiguration.Settings.CreateEntities);
    }

    protected override IAgent[] GetAgentHandles() => [HostConfiguration.Broker];
}
