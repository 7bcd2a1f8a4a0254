using MassTransit;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.Shared.Configuration;

namespace Persisters.Transports.AzureServiceBus.Configuration;

/// <summary>The bus factory configurator of the Azure Service Bus transport (<see cref="IServiceBusBusFactoryConfigurator"/>).</summary>
internal sealed class ServiceBusBusFactoryConfigurator(ServiceBusBusConfiguration busConfiguration)
    : TransportBusFactoryConfigurator<ServiceBusHostConfiguration, IServiceBusReceiveEndpointConfigurator>(busConfiguration, busConfiguration.HostConfiguration),
        IServiceBusBusFactoryConfigurator
{

    public void Host(ServiceBusHostSettings settings) => HostConfiguration.Settings = settings;

    public void SetNamespaceSeparatorTo(string separator)
    {
        if (separator is not ("/" or "_" or "."))
            throw new ArgumentException($"'{separator}' cannot separate namespace and type name in a Service Bus entity name: use '/', '_' or '.' " +
                "(a segment of a Service Bus entity name may contain only letters, digits, '.', '-' and '_').", nameof(separator));
        MessageTopology.SetEntityNameFormatter(new MessageNameFormatterEntityNameFormatter(new ServiceBusMessageNameFormatter(separator)));
    }

    public void SetNamespaceSeparatorToUnderscore() => SetNamespaceSeparatorTo("_");
}
