using MassTransit;
using MassTransit.Configuration;

namespace Persisters.Transports.AmazonSqs.Configuration;

internal sealed class SqsBusFactoryConfigurator : BusFactoryConfigurator, IAmazonSqsBusFactoryConfigurator, IBusFactory
{
    private readonly SqsBusConfiguration _busConfiguration;
    private readonly SqsHostConfiguration _hostConfiguration;

    public SqsBusFactoryConfigurator(SqsBusConfiguration busConfiguration)
        : base(busConfiguration)
    {
        _busConfiguration = busConfiguration;
        _hostConfiguration = busConfiguration.HostConfiguration;
    }

    public IReceiveEndpointConfiguration CreateBusEndpointConfiguration(Action<IReceiveEndpointConfigurator> configure)
    {
        var queueName = _busConfiguration.SqsTopology.Consume.CreateTemporaryQueueName("bus");
        return _hostConfiguration.CreateReceiveEndpointConfiguration(queueName, _busConfiguration.BusEndpointConfiguration, c => configure(c),
            temporary: true);
    }

    public void Host(string region, Action<IAmazonSqsHostConfigurator>? configure = null)
    {
        var configurator = new SqsHostConfigurator(region);
        configure?.Invoke(configurator);
        _hostConfiguration.Settings = configurator.Settings;
    }

    public void Host(AmazonSqsHostSettings settings) => _hostConfiguration.Settings = settings;

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IAmazonSqsReceiveEndpointConfigurator>? configureEndpoint = null) =>
        _hostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter!, configureEndpoint);

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        _hostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter!, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IAmazonSqsReceiveEndpointConfigurator> configureEndpoint) =>
        _hostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IReceiveEndpointConfigurator> configureEndpoint) =>
        _hostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);
}
