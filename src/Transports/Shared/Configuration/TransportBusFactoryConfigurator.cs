using MassTransit;
using MassTransit.Configuration;

namespace Persisters.Transports.Shared.Configuration;

/// <summary>
/// MassTransit's <see cref="BusFactoryConfigurator"/> for a Persisters transport: receive endpoints, and the bus's own
/// temporary endpoint, are configured on the transport's host configuration.
/// </summary>
/// <typeparam name="THostConfiguration">The transport's host configuration.</typeparam>
/// <typeparam name="TConfigurator">The transport's receive endpoint configurator interface.</typeparam>
internal abstract class TransportBusFactoryConfigurator<THostConfiguration, TConfigurator> : BusFactoryConfigurator, IBusFactory
    where THostConfiguration : ITransportHostConfiguration<TConfigurator>
    where TConfigurator : IReceiveEndpointConfigurator
{
    private readonly THostConfiguration _hostConfiguration;

    protected TransportBusFactoryConfigurator(IBusConfiguration busConfiguration, THostConfiguration hostConfiguration)
        : base(busConfiguration)
    {
        _hostConfiguration = hostConfiguration;
    }

    /// <summary>The host configuration of the bus being configured (its settings are set by the transport's <c>Host(…)</c>).</summary>
    protected THostConfiguration HostConfiguration => _hostConfiguration;

    public IReceiveEndpointConfiguration CreateBusEndpointConfiguration(Action<IReceiveEndpointConfigurator> configure) =>
        _hostConfiguration.CreateBusEndpointConfiguration(configure);

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<TConfigurator>? configureEndpoint = null) =>
        _hostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter!, configureEndpoint);

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        _hostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter!, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<TConfigurator> configureEndpoint) =>
        _hostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IReceiveEndpointConfigurator> configureEndpoint) =>
        _hostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);
}
