using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.Shared.Configuration;

namespace Persisters.Transports.AzureServiceBus.Configuration;

/// <summary>The bus configuration of the Azure Service Bus transport: its topology and its <see cref="ServiceBusHostConfiguration"/>.</summary>
internal sealed class ServiceBusBusConfiguration : TransportBusConfiguration<ServiceBusTopologyConfiguration>
{
    public ServiceBusBusConfiguration(ServiceBusTopologyConfiguration topology)
        : base(topology)
    {
        HostConfiguration = new ServiceBusHostConfiguration(this);
    }

    public override ServiceBusHostConfiguration HostConfiguration { get; }

    /// <summary>A bus configuration with a new message topology (topic names as MassTransit's Service Bus package forms them).</summary>
    public static ServiceBusBusConfiguration Create() =>
        new(new ServiceBusTopologyConfiguration(ServiceBusTopologyConfiguration.CreateMessageTopology()));
}
