using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// The bus host of a transport (MassTransit's <see cref="BaseHost"/> and <see cref="IHost{TEndpointConfigurator}"/>):
/// connects receive endpoints after the bus has started, typed with the transport's own endpoint configurator. The
/// derived class creates the endpoint configuration, applies an endpoint definition the transport's way (a temporary
/// definition makes a temporary queue), and probes and lists its agents.
/// </summary>
/// <typeparam name="THostConfiguration">The transport's host configuration.</typeparam>
/// <typeparam name="TEndpointConfiguration">The transport's receive endpoint configuration.</typeparam>
/// <typeparam name="TEndpointConfigurator">The transport's receive endpoint configurator.</typeparam>
internal abstract class TransportHost<THostConfiguration, TEndpointConfiguration, TEndpointConfigurator>(
    THostConfiguration hostConfiguration, IBusTopology busTopology) : BaseHost(hostConfiguration, busTopology), IHost<TEndpointConfigurator>
    where THostConfiguration : IHostConfiguration
    where TEndpointConfiguration : IReceiveEndpointConfiguration
    where TEndpointConfigurator : class, IReceiveEndpointConfigurator
{
    protected THostConfiguration HostConfiguration { get; } = hostConfiguration;

    public override HostReceiveEndpointHandle ConnectReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        ConnectReceiveEndpoint(definition, endpointNameFormatter, (TEndpointConfigurator c) => configureEndpoint?.Invoke(c));

    public HostReceiveEndpointHandle ConnectReceiveEndpoint(IEndpointDefinition definition, IEndpointNameFormatter? endpointNameFormatter,
        Action<TEndpointConfigurator>? configureEndpoint = null)
    {
        var queueName = definition.GetEndpointName(endpointNameFormatter ?? DefaultEndpointNameFormatter.Instance);
        return ConnectReceiveEndpoint(queueName, configurator =>
        {
            ApplyEndpointDefinition(configurator, definition);
            configureEndpoint?.Invoke(configurator);
        });
    }

    public override HostReceiveEndpointHandle ConnectReceiveEndpoint(string queueName, Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        ConnectReceiveEndpoint(queueName, (TEndpointConfigurator c) => configureEndpoint?.Invoke(c));

    /// <exception cref="ConfigurationException">The endpoint's configuration is invalid (the message lists each failure).</exception>
    public HostReceiveEndpointHandle ConnectReceiveEndpoint(string queueName, Action<TEndpointConfigurator>? configure = null)
    {
        LogContext.SetCurrentIfNull(HostConfiguration.LogContext);
        var configuration = CreateReceiveEndpointConfiguration(queueName, configure);
        configuration.Validate().ThrowIfContainsFailure("The receive endpoint configuration is invalid:");
        Build(configuration);
        return ReceiveEndpoints.Start(queueName);
    }

    /// <summary>Creates (and registers with the host configuration) the configuration of the endpoint on <paramref name="queueName"/>.</summary>
    protected abstract TEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName, Action<TEndpointConfigurator>? configure);

    /// <summary>Builds the endpoint of a valid <paramref name="configuration"/> on this host.</summary>
    protected abstract void Build(TEndpointConfiguration configuration);

    /// <summary>Applies an endpoint definition (concurrency, prefetch, temporary) to the endpoint's configurator.</summary>
    protected abstract void ApplyEndpointDefinition(TEndpointConfigurator configurator, IEndpointDefinition definition);
}
