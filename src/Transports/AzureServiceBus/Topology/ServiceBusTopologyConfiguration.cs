using MassTransit;
using MassTransit.Configuration;
using MassTransit.Topology;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>Send, publish and consume topology of one endpoint (or of the bus, for the root instance).</summary>
internal sealed class ServiceBusTopologyConfiguration
    : TransportTopologyConfiguration<ServiceBusTopologyConfiguration, ServiceBusPublishTopology, ServiceBusConsumeTopology>
{
    public ServiceBusTopologyConfiguration(IMessageTopologyConfigurator message)
        : base(message, new ServiceBusPublishTopology(message), new ServiceBusConsumeTopology(message))
    {
    }

    private ServiceBusTopologyConfiguration(ServiceBusTopologyConfiguration parent)
        : base(parent, new ServiceBusConsumeTopology(parent.Message))
    {
    }

    /// <summary>Topic names from message types as MassTransit's Service Bus package forms them.</summary>
    public static IMessageTopologyConfigurator CreateMessageTopology() =>
        new MessageTopology(new MessageNameFormatterEntityNameFormatter(new ServiceBusMessageNameFormatter()));

    public override ServiceBusTopologyConfiguration CreateEndpointTopology() => new(this);
}
