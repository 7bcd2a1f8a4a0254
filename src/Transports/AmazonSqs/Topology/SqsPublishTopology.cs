using MassTransit;
using MassTransit.Topology;

namespace Persisters.Transports.AmazonSqs.Topology;

/// <summary>
/// Publish topology: a published message goes to every queue subscribed to one of its message types. The publish
/// address names the message type; the transport resolves the subscribed queues when it sends.
/// </summary>
internal sealed class SqsPublishTopology : PublishTopology
{
    protected override IMessagePublishTopologyConfigurator CreateMessageTopology<T>()
    {
        var topology = new SqsMessagePublishTopology<T>(this);
        OnMessageTopologyCreated(topology);
        return topology;
    }
}
