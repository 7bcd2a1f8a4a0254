using MassTransit;
using MassTransit.Configuration;
using MassTransit.Topology;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.AmazonSqs.Topology;

/// <summary>Send, publish and consume topology of one endpoint (or of the bus, for the root instance).</summary>
internal sealed class SqsTopologyConfiguration : TransportTopologyConfiguration<SqsTopologyConfiguration, SqsPublishTopology, SqsConsumeTopology>
{
    public SqsTopologyConfiguration(IMessageTopologyConfigurator message)
        : base(message, new SqsPublishTopology(), new SqsConsumeTopology())
    {
    }

    private SqsTopologyConfiguration(SqsTopologyConfiguration parent)
        : base(parent, new SqsConsumeTopology())
    {
    }

    /// <summary>Entity names from message URNs (<c>urn:message:Namespace:Type</c>).</summary>
    public static IMessageTopologyConfigurator CreateMessageTopology() => new MessageTopology(new MessageUrnEntityNameFormatter());

    public override SqsTopologyConfiguration CreateEndpointTopology() => new(this);
}
