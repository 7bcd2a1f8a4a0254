using MassTransit;
using MassTransit.Configuration;
using MassTransit.Topology;

namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>Send, publish and consume topology of one endpoint (or of the bus, for the root instance).</summary>
internal sealed class ServiceBusTopologyConfiguration : ITopologyConfiguration
{
    private readonly IMessageTopologyConfigurator _message;
    private readonly ISendTopologyConfigurator _send;
    private readonly ServiceBusPublishTopology _publish;
    private readonly ServiceBusConsumeTopology _consume;

    public ServiceBusTopologyConfiguration(IMessageTopologyConfigurator message)
    {
        _message = message;
        _send = new SendTopology();
        _send.ConnectSendTopologyConfigurationObserver(new DelegateSendTopologyConfigurationObserver(GlobalTopology.Send));
        _publish = new ServiceBusPublishTopology(message);
        _publish.ConnectPublishTopologyConfigurationObserver(new DelegatePublishTopologyConfigurationObserver(GlobalTopology.Publish));
        _publish.ConnectPublishTopologyConfigurationObserver(new PublishToSendTopologyConfigurationObserver(_send));
        _consume = new ServiceBusConsumeTopology(message);
    }

    /// <summary>An endpoint's topology: shares message, send and publish topology with the bus, has its own consume topology.</summary>
    public ServiceBusTopologyConfiguration(ServiceBusTopologyConfiguration parent)
    {
        _message = parent._message;
        _send = parent._send;
        _publish = parent._publish;
        _consume = new ServiceBusConsumeTopology(parent._message);
    }

    /// <summary>Topic names from message types as MassTransit's Service Bus package forms them.</summary>
    public static IMessageTopologyConfigurator CreateMessageTopology() =>
        new MessageTopology(new MessageNameFormatterEntityNameFormatter(new ServiceBusMessageNameFormatter()));

    public IMessageTopologyConfigurator Message => _message;
    public ISendTopologyConfigurator Send => _send;
    public IPublishTopologyConfigurator Publish => _publish;
    public IConsumeTopologyConfigurator Consume => _consume;
    public ServiceBusPublishTopology ServiceBusPublish => _publish;
    public ServiceBusConsumeTopology ServiceBusConsume => _consume;

    public IEnumerable<ValidationResult> Validate() => _send.Validate().Concat(_publish.Validate()).Concat(_consume.Validate());
}
