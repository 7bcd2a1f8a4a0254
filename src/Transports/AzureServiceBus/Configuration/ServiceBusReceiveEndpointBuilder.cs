using MassTransit;
using MassTransit.Configuration;

namespace Persisters.Transports.AzureServiceBus.Configuration;

internal sealed class ServiceBusReceiveEndpointBuilder : ReceiveEndpointBuilder
{
    private readonly ServiceBusReceiveEndpointConfiguration _configuration;

    public ServiceBusReceiveEndpointBuilder(ServiceBusReceiveEndpointConfiguration configuration)
        : base(configuration)
    {
        _configuration = configuration;
    }

    public override ConnectHandle ConnectConsumePipe<T>(IPipe<ConsumeContext<T>> pipe, ConnectPipeOptions options)
    {
        if (_configuration.ConfigureConsumeTopology && options.HasFlag(ConnectPipeOptions.ConfigureConsumeTopology))
        {
            var topology = _configuration.ServiceBusTopology.ServiceBusConsume.GetServiceBusMessageTopology<T>();
            if (topology.ConfigureConsumeTopology)
                topology.Subscribe();
        }
        return base.ConnectConsumePipe(pipe, options);
    }
}
