using Persisters.Transports.AzureServiceBus.Configuration;
using Persisters.Transports.AzureServiceBus.Scheduling;
using Persisters.Transports.Shared.Configuration;

namespace MassTransit;

public static class AzureServiceBusConfigurationExtensions
{
    /// <summary>Use the Azure Service Bus transport (Persisters' own, built on Azure.Messaging.ServiceBus) for the bus.</summary>
    public static void UsingAzureServiceBus(this IBusRegistrationConfigurator configurator,
        Action<IBusRegistrationContext, IServiceBusBusFactoryConfigurator>? configure = null) =>
        configurator.SetBusFactory(CreateBusFactory(configure));

    /// <summary>Use the Azure Service Bus transport for a multi-bus instance.</summary>
    public static void UsingAzureServiceBus<TBus>(this IBusRegistrationConfigurator<TBus> configurator,
        Action<IBusRegistrationContext, IServiceBusBusFactoryConfigurator>? configure = null)
        where TBus : class, IBus =>
        configurator.SetBusFactory(CreateBusFactory(configure));

    /// <summary>Create a bus on Azure Service Bus without dependency injection.</summary>
    public static IBusControl CreateUsingAzureServiceBus(this IBusFactorySelector selector, Action<IServiceBusBusFactoryConfigurator> configure)
    {
        var busConfiguration = ServiceBusBusConfiguration.Create();
        var configurator = new ServiceBusBusFactoryConfigurator(busConfiguration);
        configure(configurator);
        return configurator.Build(busConfiguration);
    }

    /// <summary>
    /// Connects with a connection string (<c>Endpoint=sb://NAMESPACE/;SharedAccessKeyName=…;SharedAccessKey=…</c>). A string
    /// that is an absolute URI is taken as the namespace address instead (then give credentials in <paramref name="configure"/>).
    /// </summary>
    public static void Host(this IServiceBusBusFactoryConfigurator configurator, string connectionString, Action<IServiceBusHostConfigurator>? configure = null)
    {
        if (Uri.IsWellFormedUriString(connectionString, UriKind.Absolute))
        {
            configurator.Host(new Uri(connectionString), configure);
            return;
        }
        var hostConfigurator = new ServiceBusHostConfigurator(connectionString);
        configure?.Invoke(hostConfigurator);
        configurator.Host(hostConfigurator.Settings);
    }

    /// <summary>
    /// Connects to the namespace at <paramref name="hostAddress"/> (<c>sb://NAMESPACE.servicebus.windows.net/[SCOPE]</c>);
    /// give the credentials in <paramref name="configure"/>, e.g. <c>h => h.TokenCredential = new DefaultAzureCredential()</c>.
    /// </summary>
    public static void Host(this IServiceBusBusFactoryConfigurator configurator, Uri hostAddress, Action<IServiceBusHostConfigurator>? configure = null)
    {
        var hostConfigurator = new ServiceBusHostConfigurator(hostAddress);
        configure?.Invoke(hostConfigurator);
        configurator.Host(hostConfigurator.Settings);
    }

    /// <summary>
    /// Schedules messages with Service Bus's own scheduled messages (<c>IMessageScheduler</c> in consumers): the message is
    /// stored by Service Bus until its time, and a cancel removes it by its sequence number.
    /// </summary>
    public static void UseServiceBusMessageScheduler(this IBusFactoryConfigurator configurator) =>
        configurator.AddPrePipeSpecification(new ServiceBusMessageSchedulerSpecification());

    /// <summary>Registers an <see cref="IMessageScheduler"/> that uses Service Bus's scheduled messages (see <see cref="UseServiceBusMessageScheduler"/>).</summary>
    public static void AddServiceBusMessageScheduler(this IBusRegistrationConfigurator configurator) =>
        ServiceBusMessageSchedulerRegistration.Add(configurator);

    private static BusRegistrationFactory<ServiceBusBusConfiguration, ServiceBusBusFactoryConfigurator, IServiceBusBusFactoryConfigurator,
        IServiceBusReceiveEndpointConfigurator> CreateBusFactory(Action<IBusRegistrationContext, IServiceBusBusFactoryConfigurator>? configure) =>
        new(ServiceBusBusConfiguration.Create(), busConfiguration => new ServiceBusBusFactoryConfigurator(busConfiguration), configure);
}
