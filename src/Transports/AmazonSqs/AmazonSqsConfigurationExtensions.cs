using Persisters.Transports.AmazonSqs.Configuration;
using Persisters.Transports.Shared.Configuration;

namespace MassTransit;

public static class AmazonSqsConfigurationExtensions
{
    /// <summary>Use the Amazon SQS transport (Persisters' own, built on AWSSDK.SQS) for the bus.</summary>
    public static void UsingAmazonSqs(this IBusRegistrationConfigurator configurator,
        Action<IBusRegistrationContext, IAmazonSqsBusFactoryConfigurator>? configure = null) =>
        configurator.SetBusFactory(CreateBusFactory(configure));

    /// <summary>Use the Amazon SQS transport for a multi-bus instance.</summary>
    public static void UsingAmazonSqs<TBus>(this IBusRegistrationConfigurator<TBus> configurator,
        Action<IBusRegistrationContext, IAmazonSqsBusFactoryConfigurator>? configure = null)
        where TBus : class, IBus =>
        configurator.SetBusFactory(CreateBusFactory(configure));

    /// <summary>Create a bus on Amazon SQS without dependency injection.</summary>
    public static IBusControl CreateUsingAmazonSqs(this IBusFactorySelector selector, Action<IAmazonSqsBusFactoryConfigurator> configure)
    {
        var busConfiguration = SqsBusConfiguration.Create();
        var configurator = new SqsBusFactoryConfigurator(busConfiguration);
        configure(configurator);
        return configurator.Build(busConfiguration);
    }

    private static BusRegistrationFactory<SqsBusConfiguration, SqsBusFactoryConfigurator, IAmazonSqsBusFactoryConfigurator, IAmazonSqsReceiveEndpointConfigurator>
        CreateBusFactory(Action<IBusRegistrationContext, IAmazonSqsBusFactoryConfigurator>? configure) =>
        new(SqsBusConfiguration.Create(), busConfiguration => new SqsBusFactoryConfigurator(busConfiguration), configure);
}
