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
}
