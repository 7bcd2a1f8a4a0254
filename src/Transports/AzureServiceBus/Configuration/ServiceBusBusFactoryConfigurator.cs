using MassTransit;
using MassTransit.Configuration;
using Persisters.Transports.AzureServiceBus.Topology;

namespace Persisters.Transports.AzureServiceBus.Configuration;

internal sealed class ServiceBusBusFactoryConfigurator : BusFactoryConfigurator, IServiceBusBusFactoryConfigurator, IBusFactory
{
    private readonly ServiceBusBusConfiguration _busConfiguration;
    private readonly ServiceBusHostConfiguration _hostConfiguration;

    public ServiceBusBusFactoryConfigurator(ServiceBusBusConfiguration busConfiguration)
        : base(busConfiguration)
    {
        _busConfiguration = busConfiguration;
        _hostConfiguration = busConfiguration.HostConfiguration;
    }

    public IReceiveEndpointConfiguration CreateBusEndpointConfiguration(Action<IReceiveEndpointConfigurator> configure)
    {
        var queueName = _busConfiguration.ServiceBusTopology.Consume.CreateTemporaryQueueName("bus");
        return _hostConfiguration.CreateReceiveEndpointConfiguration(queueName, _busConfiguration.BusEndpointConfiguration, c => configure(c),
            temporary: true);
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

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IServiceBusReceiveEndpointConfigurator>? configureEndpoint = null) =>
        _hostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter!, configureEndpoint);

    public void ReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        _hostConfiguration.ReceiveEndpoint(definition, endpointNameFormatter!, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IServiceBusReceiveEndpointConfigurator> configureEndpoint) =>
        _hostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);

    public void ReceiveEndpoint(string queueName, Action<IReceiveEndpointConfigurator> configureEndpoint) =>
        _hostConfiguration.ReceiveEndpoint(queueName, configureEndpoint);
}
