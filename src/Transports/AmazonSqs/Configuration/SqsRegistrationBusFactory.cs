using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Topology;

namespace Persisters.Transports.AmazonSqs.Configuration;

internal sealed class SqsRegistrationBusFactory : TransportRegistrationBusFactory<IAmazonSqsReceiveEndpointConfigurator>
{
    private readonly SqsBusConfiguration _busConfiguration;
    private readonly Action<IBusRegistrationContext, IAmazonSqsBusFactoryConfigurator>? _configure;

    public SqsRegistrationBusFactory(Action<IBusRegistrationContext, IAmazonSqsBusFactoryConfigurator>? configure)
        : this(new SqsBusConfiguration(new SqsTopologyConfiguration(SqsTopologyConfiguration.CreateMessageTopology())), configure)
    {
    }

    private SqsRegistrationBusFactory(SqsBusConfiguration busConfiguration, Action<IBusRegistrationContext, IAmazonSqsBusFactoryConfigurator>? configure)
        : base(busConfiguration.HostConfiguration)
    {
        _busConfiguration = busConfiguration;
        _configure = configure;
    }

    public override IBusInstance CreateBus(IBusRegistrationContext context, IEnumerable<IBusInstanceSpecification> specifications, string busName)
    {
        var configurator = new SqsBusFactoryConfigurator(_busConfiguration);
        return CreateBus(configurator, context, _configure, specifications);
    }
}
