using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Configuration;
using Persisters.Transports.AzureServiceBus.Topology;

namespace Persisters.Transports.AzureServiceBus.Transport;

internal sealed class ServiceBusPublishTransportProvider : IPublishTransportProvider
{
    private readonly ServiceBusHostConfiguration _hostConfiguration;
    private readonly ReceiveEndpointContext _context;
    private readonly ServiceBusPublishTopology _publishTopology;

    public ServiceBusPublishTransportProvider(ServiceBusHostConfiguration hostConfiguration, ReceiveEndpointContext context,
        ServiceBusPublishTopology publishTopology)
    {
        _hostConfiguration = hostConfiguration;
        _context = context;
        _publishTopology = publishTopology;
    }

    public Task<ISendTransport> GetPublishTransport<T>(Uri? publishAddress)
        where T : class
    {
        var entities = _publishTopology.GetPublishEntities<T>();
        var target = new ServiceBusAddress(ServiceBusEntityType.Topic, entities.TopicPath);
        var transportContext = new ServiceBusSendTransportContext(_hostConfiguration, _context, target, entities, null);
        return Task.FromResult<ISendTransport>(new SendTransport<ServiceBusPipeContext>(transportContext));
    }
}
