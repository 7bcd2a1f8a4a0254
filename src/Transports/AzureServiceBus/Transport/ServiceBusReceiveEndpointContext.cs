using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Configuration;
using Persisters.Transports.AzureServiceBus.Topology;

namespace Persisters.Transports.AzureServiceBus.Transport;

internal sealed class ServiceBusReceiveEndpointContext : BaseReceiveEndpointContext
{
    private readonly ServiceBusHostConfiguration _hostConfiguration;
    private readonly ServiceBusReceiveEndpointConfiguration _configuration;
    private readonly List<IAgent> _agents = [];

    public ServiceBusReceiveEndpointContext(ServiceBusHostConfiguration hostConfiguration, ServiceBusReceiveEndpointConfiguration configuration)
        : base(hostConfiguration, configuration)
    {
        _hostConfiguration = hostConfiguration;
        _configuration = configuration;
    }

    public ServiceBusBroker Broker => _hostConfiguration.Broker;
    public Uri HostAddress => _hostConfiguration.HostAddress;
    public string QueuePath => _configuration.QueuePath;
    public bool IsTemporary => _configuration.IsTemporary;
    public TimeSpan ReceiveWaitTime => _configuration.WaitTime;
    public TimeSpan? MaxAutoRenewDuration => _configuration.RenewLimit;
    public TimeSpan? QueueTimeToLive => _configuration.QueueTimeToLive;
    public EndpointEntities Entities => _configuration.GetEntities();

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

    protected override ISendTransportProvider CreateSendTransportProvider() => new ServiceBusSendTransportProvider(_hostConfiguration, this);

    protected override IPublishTransportProvider CreatePublishTransportProvider() =>
        new ServiceBusPublishTransportProvider(_hostConfiguration, this, _configuration.TransportTopology.Publish);
}
