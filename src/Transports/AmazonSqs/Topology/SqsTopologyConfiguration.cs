using MassTransit;
using MassTransit.Configuration;
using MassTransit.Topology;

namespace Persisters.Transports.AmazonSqs.Topology;

/// <summary>Send, publish and consume topology of one endpoint (or of the bus, for the root instance).</summary>
internal sealed class SqsTopologyConfiguration : ITopologyConfiguration
{
    private readonly IMessageTopologyConfigurator _message;
    private readonly ISendTopologyConfigurator _send;
    private readonly SqsPublishTopology _publish;
    private readonly SqsConsumeTopology _consume;

    public SqsTopologyConfiguration(IMessageTopologyConfigurator message)
    {
        _message = message;
        _send = new SendTopology();
        _send.ConnectSendTopologyConfigurationObserver(new DelegateSendTopologyConfigurationObserver(GlobalTopology.Send));
        _publish = new SqsPublishTopology();
        _publish.ConnectPublishTopologyConfigurationObserver(new DelegatePublishTopologyConfigurationObserver(GlobalTopology.Publish));
        _publish.ConnectPublishTopologyConfigurationObserver(new PublishToSendTopologyConfigurationObserver(_send));
        _consume = new SqsConsumeTopology();
    }

    /// <summary>An endpoint's topology: shares message, send and publish topology with the bus, has its own consume topology.</summary>
    public SqsTopologyConfiguration(SqsTopologyConfiguration parent)
    {
        _message = parent._message;
        _send = parent._send;
        _publish = parent._publish;
        _consume = new SqsConsumeTopology();
    }

    public static IMessageTopologyConfigurator CreateMessageTopology() => new MessageTopology(new MessageUrnEntityNameFormatter());

    public IMessageTopologyConfigurator Message => _message;
    public ISendTopologyConfigurator Send => _send;
    public IPublishTopologyConfigurator Publish => _publish;
    public IConsumeTopologyConfigurator Consume => _consume;
    public SqsConsumeTopology SqsConsume => _consume;

    public IEnumerable<ValidationResult> Validate() => _send.Validate().Concat(_publish.Validate()).Concat(_consume.Validate());
}
