using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Configuration;

/// <summary>
/// MassTransit's <see cref="TransportRegistrationBusFactory{TEndpointConfigurator}"/> for a Persisters transport
/// (<c>UsingAmazonSqs</c>, <c>UsingAzureServiceBus</c>): creates the bus from a prepared bus configuration, the transport's bus
/// factory configurator over it, and the application's configure callback.
/// </summary>
/// <typeparam name="TBusConfiguration">The transport's bus configuration.</typeparam>
/// <typeparam name="TBusFactory">The transport's bus factory configurator (class).</typeparam>
/// <typeparam name="TBusFactoryConfigurator">The transport's public bus factory configurator interface, which the callback receives.</typeparam>
/// <typeparam name="TEndpointConfigurator">The transport's receive endpoint configurator interface.</typeparam>
internal sealed class BusRegistrationFactory<TBusConfiguration, TBusFactory, TBusFactoryConfigurator, TEndpointConfigurator>
    : TransportRegistrationBusFactory<TEndpointConfigurator>
    where TBusConfiguration : IBusConfiguration
    where TBusFactory : TBusFactoryConfigurator, IBusFactory
    where TBusFactoryConfigurator : IBusFactoryConfigurator
    where TEndpointConfigurator : class, IReceiveEndpointConfigurator
{
    private readonly TBusConfiguration _busConfiguration;
    private readonly Func<TBusConfiguration, TBusFactory> _createConfigurator;
    private readonly Action<IBusRegistrationContext, TBusFactoryConfigurator>? _configure;

    public BusRegistrationFactory(TBusConfiguration busConfiguration, Func<TBusConfiguration, TBusFactory> createConfigurator,
        Action<IBusRegistrationContext, TBusFactoryConfigurator>? configure)
        : base(busConfiguration.HostConfiguration)
    {
        _busConfiguration = busConfiguration;
        _createConfigurator = createConfigurator;
        _configure = configure;
    }

    public override IBusInstance CreateBus(IBusRegistrationContext context, IEnumerable<IBusInstanceSpecification> specifications, string busName) =>
        CreateBus(_createConfigurator(_busConfiguration), context, _configure, specifications);
}
