using MassTransit;
using Persisters.Transports.Shared.Configuration;

namespace Persisters.Transports.AmazonSqs.Configuration;

internal sealed class SqsBusFactoryConfigurator : TransportBusFactoryConfigurator<IAmazonSqsReceiveEndpointConfigurator>, IAmazonSqsBusFactoryConfigurator
{
    private readonly SqsHostConfiguration _hostConfiguration;

    public SqsBusFactoryConfigurator(SqsBusConfiguration busConfiguration)
        : base(busConfiguration, busConfiguration.HostConfiguration)
    {
        _hostConfiguration = busConfiguration.HostConfiguration;
    }

    public void Host(string region, Action<IAmazonSqsHostConfigurator>? configure = null)
    {
        var configurator = new SqsHostConfigurator(region);
        configure?.Invoke(configurator);
        _hostConfiguration.Settings = configurator.Settings;
    }

    public void Host(AmazonSqsHostSettings settings) => _hostConfiguration.Settings = settings;
}
