using Persisters.Transports.AmazonSqs.Configuration;
using Persisters.Transports.AmazonSqs.Topology;

namespace MassTransit;

public static class AmazonSqsConfigurationExtensions
{
    /// <summary>Use the Amazon SQS transport (Persisters' own, built on AWSSDK.SQS) for the bus.</summary>
    public static void UsingAmazonSqs(this IBusRegistrationConfigurator configurator,
        Action<IBusRegistrationContext, IAmazonSqsBusFactoryConfigurator>? configure = null) =>
        configurator.SetBusFactory(new SqsRegistrationBusFactory(configure));

    /// <summary>Use the Amazon SQS transport for a multi-bus instance.</summary>
    public static void UsingAmazonSqs<TBus>(this IBusRegistrationConfigurator<TBus> configurator,
        Action<IBusRegistrationContext, IAmazonSqsBusFactoryConfigurator>? configure = null)
        where TBus : class, IBus =>
        configurator.SetBusFactory(new SqsRegistrationBusFactory(configure));

    /// <summary>Create a bus on Amazon SQS without dependency injection.</summary>
    public static IBusControl CreateUsingAmazonSqs(this IBusFactorySelector selector, Action<IAmazonSqsBusFactoryConfigurator> configure)
    {
        var busConfiguration = new SqsBusConfiguration(new SqsTopologyConfiguration(SqsTopologyConfiguration.CreateMessageTopology()));
        var configurator = new SqsBusFactoryConfigurator(busConfiguration);
        configure(configurator);
        return configurator.Build(busConfiguration);
    }
}
