using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.Shared.Configuration;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// The bus host of a transport (MassTransit's <see cref="BaseHost"/> and <see cref="IHost{TEndpointConfigurator}"/>):
/// connects receive endpoints after the bus has started, typed with the transport's own endpoint configurator. The host
/// configuration creates each endpoint's configuration and applies an endpoint definition (a temporary definition makes
/// a temporary queue); the derived class probes and lists its agents.
/// </summary>
/// <typeparam name="THostConfiguration">The transport's host configuration.</typeparam>
/// <typeparam name="TEndpointConfigurator">The transport's receive endpoint configurator.</typeparam>
internal abstract class TransportHost<THostConfiguration, TEndpointConfigurator>(
    THostConfiguration hostConfiguration, IBusTopology busTopology) : BaseHost(hostConfiguration, busTopology), IHost<TEndpointConfigurator>
    where THostConfiguration : ITransportHostConfiguration<TEndpointConfigurator>
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
            HostConfiguration.ApplyEndpointDefinition(configurator, definition);
            configureEndpoint?.Invoke(configurator);
        });
    }

    public override HostReceiveEndpointHandle ConnectReceiveEndpoint(string queueName, Action<IReceiveEndpointConfigurator>? configureEndpoint = null) =>
        ConnectReceiveEndpoint(queueName, (TEndpointConfigurator c) => configureEndpoint?.Invoke(c));

    /// <exception cref="ConfigurationException">The endpoint's configuration is invalid (the message lists each failure).</exception>
    public HostReceiveEndpointHandle ConnectReceiveEndpoint(string queueName, Action<TEndpointConfigurator>? configure = null)
    {
        LogContext.SetCurrentIfNull(HostConfiguration.LogContext);
        var configuration = HostConfiguration.CreateReceiveEndpointConfiguration(queueName, configure);
        configuration.Validate().ThrowIfContainsFailure("The receive endpoint configuration is invalid:");
        configuration.Build(this);
        return ReceiveEndpoints.Start(queueName);
    }
}
