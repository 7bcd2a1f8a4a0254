using MassTransit;
using MassTransit.Configuration;
using MassTransit.Observables;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.Shared.Configuration;

/// <summary>
/// MassTransit's <see cref="IBusConfiguration"/> for a Persisters transport: the root endpoint configuration, the bus's own
/// endpoint configuration, the bus observers and the host configuration (which the transport's subclass creates).
/// </summary>
/// <typeparam name="TTopology">The transport's topology configuration.</typeparam>
internal abstract class TransportBusConfiguration<TTopology> : TransportEndpointConfiguration<TTopology>, IBusConfiguration
    where TTopology : ITransportTopologyConfiguration<TTopology>
{
    private readonly BusObservable _busObservers = new();

    protected TransportBusConfiguration(TTopology topology)
        : base(topology)
    {
        BusEndpointConfiguration = CreateEndpointConfiguration(true);
    }

    /// <summary>The transport's host configuration; set by the subclass's constructor.</summary>
    public abstract IHostConfiguration HostConfiguration { get; }

    /// <summary>The configuration of the bus's own temporary receive endpoint.</summary>
    public TransportEndpointConfiguration<TTopology> BusEndpointConfiguration { get; }

    IEndpointConfiguration IBusConfiguration.BusEndpointConfiguration => BusEndpointConfiguration;
    IBusObserver IBusConfiguration.BusObservers => _busObservers;

    public ConnectHandle ConnectBusObserver(IBusObserver observer) => _busObservers.Connect(observer);

    public ConnectHandle ConnectEndpointConfigurationObserver(IEndpointConfigurationObserver observer) =>
        HostConfiguration.ConnectEndpointConfigurationObserver(observer);
}
