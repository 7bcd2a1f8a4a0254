using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Topology;

namespace Persisters.Transports.AzureServiceBus.Configuration;

internal sealed class ServiceBusRegistrationBusFactory : TransportRegistrationBusFactory<IServiceBusReceiveEndpointConfigurator>
{
    private readonly ServiceBusBusConfiguration _busConfiguration;
    private readonly Action<IBusRegistrationContext, IServiceBusBusFactoryConfigurator>? _configure;

    public ServiceBusRegistrationBusFactory(Action<IBusRegistrationContext, IServiceBusBusFactoryConfigurator>? configure)
        : this(new ServiceBusBusConfiguration(new ServiceBusTopologyConfiguration(ServiceBusTopologyConfiguration.CreateMessageTopology())), configure)
    {
    }

    private ServiceBusRegistrationBusFactory(ServiceBusBusConfiguration busConfiguration,
        Action<IBusRegistrationContext, IServiceBusBusFactoryConfigurator>? configure)
        : base(busConfiguration.HostConfiguration)
    {
        _busConfiguration = busConfiguration;
        _configure = configure;
    }

    public override IBusInstance CreateBus(IBusRegistrationContext context, IEnumerable<IBusInstanceSpecification> specifications, string busName)
    {
        var configurator = new ServiceBusBusFactoryConfigurator(_busConfiguration);
        return CreateBus(configurator, context, _configure, specifications);
    }
}
