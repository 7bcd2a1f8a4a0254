using MassTransit;
using Persisters.Transports.Shared.Configuration;

namespace Persisters.Transports.AmazonSqs.Configuration;

/// <summary>The bus factory configurator of the Amazon SQS transport (<see cref="IAmazonSqsBusFactoryConfigurator"/>).</summary>
internal sealed class SqsBusFactoryConfigurator(SqsBusConfiguration busConfiguration)
    : TransportBusFactoryConfigurator<SqsHostConfiguration, IAmazonSqsReceiveEndpointConfigurator>(busConfiguration, busConfiguration.HostConfiguration),
        IAmazonSqsBusFactoryConfigurator
{

    public void Host(string region, Action<IAmazonSqsHostConfigurator>? configure = null)
    {
        var configurator = new SqsHostConfigurator(region);
        configure?.Invoke(configurator);
        HostConfiguration.Settings = configurator.Settings;
    }

    public void Host(AmazonSqsHostSettings settings) => HostConfiguration.Settings = settings;
}
