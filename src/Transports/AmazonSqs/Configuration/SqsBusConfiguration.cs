using MassTransit;
using MassTransit.Configuration;
using MassTransit.Observables;
using Persisters.Transports.AmazonSqs.Topology;

namespace Persisters.Transports.AmazonSqs.Configuration;

internal sealed class SqsBusConfiguration : SqsEndpointConfiguration, IBusConfiguration
{
    private readonly BusObservable _busObservers = new();

    public SqsBusConfiguration(SqsTopologyConfiguration topology)
        : base(topology)
    {
        HostConfiguration = new SqsHostConfiguration(this, topology);
        BusEndpointConfiguration = CreateEndpointConfiguration(true);
    }

    public SqsHostConfiguration HostConfiguration { get; }
    public SqsEndpointConfiguration BusEndpointConfiguration { get; }

    IHostConfiguration IBusConfiguration.HostConfiguration => HostConfiguration;
    IEndpointConfiguration IBusConfiguration.BusEndpointConfiguration => BusEndpointConfiguration;
    IBusObserver IBusConfiguration.BusObservers => _busObservers;

    public ConnectHandle ConnectBusObserver(IBusObserver observer) => _busObservers.Connect(observer);

    public ConnectHandle ConnectEndpointConfigurationObserver(IEndpointConfigurationObserver observer) =>
        HostConfiguration.ConnectEndpointConfigurationObserver(observer);
}
