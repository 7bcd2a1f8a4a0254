using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Configuration;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.AzureServiceBus.Transport;

internal sealed class ServiceBusHost : BaseHost, IHost<IServiceBusReceiveEndpointConfigurator>
{
    private readonly ServiceBusHostConfiguration _hostConfiguration;

    public ServiceBusHost(ServiceBusHostConfiguration hostConfiguration, TransportBusTopology busTopology)
        : base(hostConfiguration, busTopology)
    {
        _hostConfiguration = hostConfiguration;
    }

    public override HostReceiveEndpointHandle ConnectReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        ConnectReceiveEndpoint(definition, endpointNameFormatter, (IServiceBusReceiveEndpointConfigurator c) => configureEndpoint?.Invoke(c));

    public HostReceiveEndpointHandle ConnectReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IServiceBusReceiveEndpointConfigurator>? configureEndpoint = null)
    {
        var queueName = definition.GetEndpointName(endpointNameFormatter ?? DefaultEndpointNameFormatter.Instance);
        return ConnectReceiveEndpoint(queueName, configurator =>
        {
            _hostConfiguration.ApplyEndpointDefinition(configurator, definition);
            configureEndpoint?.Invoke(configurator);
        });
    }

    public override HostReceiveEndpointHandle ConnectReceiveEndpoint(string queueName, Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        ConnectReceiveEndpoint(queueName, (IServiceBusReceiveEndpointConfigurator c) => configureEndpoint?.Invoke(c));

    public HostReceiveEndpointHandle ConnectReceiveEndpoint(string queueName, Action<IServiceBusReceiveEndpointConfigurator>? configure = null)
    {
        LogContext.SetCurrentIfNull(_hostConfiguration.LogContext);
        var configuration = _hostConfiguration.CreateReceiveEndpointConfiguration(queueName, configure);
        configuration.Validate().ThrowIfContainsFailure("The receive endpoint configuration is invalid:");
        configuration.Build(this);
        return ReceiveEndpoints.Start(queueName);
    }

    protected override void Probe(ProbeContext context)
    {
        context.Add("type", "AzureServiceBus (Persisters)");
        context.Add("namespace", _hostConfiguration.Settings.FullyQualifiedNamespace);
        context.Add("scope", _hostConfiguration.Settings.Scope);
        context.Add("createEntities", _hostConfiguration.Settings.CreateEntities);
    }

    protected override IAgent[] GetAgentHandles() => [_hostConfiguration.Broker];
}
