using MassTransit;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.Shared.Configuration;

namespace Persisters.Transports.AzureServiceBus.Configuration;

internal sealed class ServiceBusBusFactoryConfigurator : TransportBusFactoryConfigurator<IServiceBusReceiveEndpointConfigurator>, IServiceBusBusFactoryConfigurator
{
    private readonly ServiceBusHostConfiguration _hostConfiguration;

    public ServiceBusBusFactoryConfigurator(ServiceBusBusConfiguration busConfiguration)
        : base(busConfiguration, busConfiguration.HostConfiguration)
    {
        _hostConfiguration = busConfiguration.HostConfiguration;
    }

    public void Host(ServiceBusHostSettings settings) => _hostConfiguration.Settings = settings;

    public void SetNamespaceSeparatorTo(string separator)
    {
        if (separator is not ("/" or "_" or "."))
            throw new ArgumentException($"'{separator}' cannot separate namespace and type name in a Service Bus entity name: use '/', '_' or '.' " +
                "(a segment of a Service Bus entity name may contain only letters, digits, '.', '-' and '_').", nameof(separator));
        MessageTopology.SetEntityNameFormatter(new MessageNameFormatterEntityNameFormatter(new ServiceBusMessageNameFormatter(separator)));
    }

    public void SetNamespaceSeparatorToUnderscore() => SetNamespaceSeparatorTo("_");
}
