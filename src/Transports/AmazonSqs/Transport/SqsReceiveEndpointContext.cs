using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Configuration;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AmazonSqs.Transport;

internal sealed class SqsReceiveEndpointContext : TransportReceiveEndpointContext
{
    private readonly SqsHostConfiguration _hostConfiguration;
    private readonly SqsReceiveEndpointConfiguration _configuration;

    public SqsReceiveEndpointContext(SqsHostConfiguration hostConfiguration, SqsReceiveEndpointConfiguration configuration)
        : base(hostConfiguration, configuration)
    {
        _hostConfiguration = hostConfiguration;
        _configuration = configuration;
    }

    public SqsBroker Broker => _hostConfiguration.Broker;
    public Uri HostAddress => _hostConfiguration.HostAddress;
    public string QueueName => _configuration.QueueName;
    public bool IsTemporary => _configuration.IsTemporary;
    public int WaitTimeSeconds => _configuration.ReceiveWaitTimeSeconds;
    public int VisibilityTimeout => _configuration.ReceiveVisibilityTimeout;
    public ISendTopology SendTopology => _configuration.TransportTopology.Send;
    public IReadOnlyCollection<string> Subscriptions => _configuration.TransportTopology.Consume.Subscriptions;

    protected override ISendTransportProvider CreateSendTransportProvider() => new SqsSendTransportProvider(_hostConfiguration, this);

    protected override IPublishTransportProvider CreatePublishTransportProvider() => new SqsSendTransportProvider(_hostConfiguration, this);
}
