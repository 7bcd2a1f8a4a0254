using MassTransit;
using MassTransit.Configuration;
using MassTransit.Topology;

namespace Persisters.Transports.Shared.Topology;

/// <summary>
/// Send, publish and consume topology of a transport's bus (the root instance) or of one receive endpoint. The root wires
/// MassTransit's global send and publish topology in, and publish conventions into send; an endpoint's instance shares the
/// root's message, send and publish topology and has a consume topology of its own.
/// </summary>
/// <typeparam name="TSelf">The transport's own topology configuration type.</typeparam>
/// <typeparam name="TPublish">The transport's publish topology.</typeparam>
/// <typeparam name="TConsume">The transport's consume topology.</typeparam>
internal abstract class TransportTopologyConfiguration<TSelf, TPublish, TConsume> : ITransportTopologyConfiguration<TSelf>
    where TSelf : TransportTopologyConfiguration<TSelf, TPublish, TConsume>
    where TPublish : PublishTopology
    where TConsume : TransportConsumeTopology
{
    private readonly ISendTopologyConfigurator _send;

    /// <summary>The bus's topology.</summary>
    protected TransportTopologyConfiguration(IMessageTopologyConfigurator message, TPublish publish, TConsume consume)
    {
        Message = message;
        _send = new SendTopology();
        _send.ConnectSendTopologyConfigurationObserver(new DelegateSendTopologyConfigurationObserver(GlobalTopology.Send));
        Publish = publish;
        Publish.ConnectPublishTopologyConfigurationObserver(new DelegatePublishTopologyConfigurationObserver(GlobalTopology.Publish));
        Publish.ConnectPublishTopologyConfigurationObserver(new PublishToSendTopologyConfigurationObserver(_send));
        Consume = consume;
    }

    /// <summary>An endpoint's topology: <paramref name="parent"/>'s message, send and publish topology, and <paramref name="consume"/>.</summary>
    protected TransportTopologyConfiguration(TSelf parent, TConsume consume)
    {
        Message = parent.Message;
        _send = parent._send;
        Publish = parent.Publish;
        Consume = consume;
    }

    public IMessageTopologyConfigurator Message { get; }
    public ISendTopologyConfigurator Send => _send;
    public TPublish Publish { get; }
    public TConsume Consume { get; }

    IPublishTopologyConfigurator ITopologyConfiguration.Publish => Publish;
    IConsumeTopologyConfigurator ITopologyConfiguration.Consume => Consume;
    TransportConsumeTopology ITransportTopologyConfiguration<TSelf>.Consume => Consume;

    public abstract TSelf CreateEndpointTopology();

    public IEnumerable<ValidationResult> Validate() => _send.Validate().Concat(Publish.Validate()).Concat(Consume.Validate());
}
