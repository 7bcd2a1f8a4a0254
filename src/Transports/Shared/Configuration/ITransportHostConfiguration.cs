using MassTransit;
using MassTransit.Configuration;

namespace Persisters.Transports.Shared.Configuration;

/// <summary>What the bus factory configurator needs of a transport's host configuration (see <see cref="TransportHostConfiguration{TConfiguration, TConfigurator, TTopology, TSettings, TBroker}"/>).</summary>
/// <typeparam name="TConfigurator">The transport's receive endpoint configurator interface.</typeparam>
internal interface ITransportHostConfiguration<TConfigurator> : IHostConfiguration, IReceiveConfigurator<TConfigurator>
    where TConfigurator : IReceiveEndpointConfigurator
{
    /// <summary>Configures the bus's own temporary receive endpoint (queue name from MassTransit's temporary name, tag "bus").</summary>
    IReceiveEndpointConfiguration CreateBusEndpointConfiguration(Action<IReceiveEndpointConfigurator> configure);

    /// <summary>Configures a receive endpoint on <paramref name="queueName"/> and adds it to the host's endpoints.</summary>
    /// <exception cref="ArgumentException"><paramref name="queueName"/> is empty or white space.</exception>
    ITransportReceiveEndpointConfiguration CreateReceiveEndpointConfiguration(string queueName, Action<TConfigurator>? configure);

    /// <summary>MassTransit's endpoint definition settings, and <see cref="IEndpointDefinition.IsTemporary"/> made the endpoint's.</summary>
    void ApplyEndpointDefinition(TConfigurator configurator, IEndpointDefinition definition);
}
