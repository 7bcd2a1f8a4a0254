using MassTransit;
using MassTransit.Configuration;
using MassTransit.Observables;
using Persisters.Transports.AzureServiceBus.Topology;

namespace Persisters.Transports.AzureServiceBus.Configuration;

internal sealed class ServiceBusBusConfiguration : ServiceBusEndpointConfiguration, IBusConfiguration
{
    private readonly BusObservable _busObservers = new();

    public ServiceBusBusConfiguration(ServiceBusTopologyConfiguration topology)
        : base(topology)
    {
        HostConfiguration = new ServiceBusHostConfiguration(this, topology);
        BusEndpointConfiguration = CreateEndpointConfiguration(true);
    }

    public ServiceBusHostConfiguration HostConfiguration { get; }
    public ServiceBusEndpointConfiguration BusEndpointConfiguration { get; }

    IHostConfiguration IBusConfiguration.HostConfiguration => HostConfiguration;
    IEndpointConfiguration IBusConfiguration.BusEndpointConfiguration => BusEndpointConfiguration;
    IBusObserver IBusConfiguration.BusObservers => _busObservers;

    public ConnectHandle ConnectBusObserver(IBusObserver observer) => _busObservers.Connect(observer);

    public ConnectHandle ConnectEndpointConfigurationObserver(IEndpointConfigurationObserver observer) =>
        HostConfiguration.ConnectEndpointConfigurationObserver(observer);
}
