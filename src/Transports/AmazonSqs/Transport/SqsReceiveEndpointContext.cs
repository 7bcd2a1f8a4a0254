using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Configuration;

namespace Persisters.Transports.AmazonSqs.Transport;

internal sealed class SqsReceiveEndpointContext : BaseReceiveEndpointContext
{
    private readonly SqsHostConfiguration _hostConfiguration;
    private readonly SqsReceiveEndpointConfiguration _configuration;
    private readonly List<IAgent> _agents = [];

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

    public override void AddSendAgent(IAgent agent)
    {
        lock (_agents)
            _agents.Add(agent);
    }

    public override void AddConsumeAgent(IAgent agent)
    {
        lock (_agents)
            _agents.Add(agent);
    }

    public async Task StopAgents(CancellationToken cancellationToken)
    {
        IAgent[] agents;
        lock (_agents)
        {
            agents = _agents.ToArray();
            _agents.Clear();
        }
        foreach (var agent in agents)
            await agent.Stop("Receive endpoint stopped", cancellationToken);
    }

    public override Exception ConvertException(Exception exception, string message) => exception;

    protected override ISendTransportProvider CreateSendTransportProvider() => new SqsSendTransportProvider(_hostConfiguration, this);

    protected override IPublishTransportProvider CreatePublishTransportProvider() => new SqsPublishTransportProvider(_hostConfiguration, this);
}
