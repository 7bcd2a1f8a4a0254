using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Configuration;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AzureServiceBus.Transport;

internal sealed class ServiceBusReceiveEndpointContext : TransportReceiveEndpointContext
{
    private readonly ServiceBusHostConfiguration _hostConfiguration;
    private readonly ServiceBusReceiveEndpointConfiguration _configuration;

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

    protected override ISendTransportProvider CreateSendTransportProvider() =>
        new ServiceBusSendTransportProvider(_hostConfiguration, this, _configuration.TransportTopology.Publish);

    protected override IPublishTransportProvider CreatePublishTransportProvider() =>
        new ServiceBusSendTransportProvider(_hostConfiguration, this, _configuration.TransportTopology.Publish);
}
