using MassTransit;
using MassTransit.Configuration;

namespace Persisters.Transports.AmazonSqs.Configuration;

internal sealed class SqsReceiveEndpointBuilder : ReceiveEndpointBuilder
{
    private readonly SqsReceiveEndpointConfiguration _configuration;

    public SqsReceiveEndpointBuilder(SqsReceiveEndpointConfiguration configuration)
        : base(configuration)
    {
        _configuration = configuration;
    }

    public override ConnectHandle ConnectConsumePipe<T>(IPipe<ConsumeContext<T>> pipe, ConnectPipeOptions options)
    {
        if (_configuration.ConfigureConsumeTopology && options.HasFlag(ConnectPipeOptions.ConfigureConsumeTopology))
        {
            var topology = _configuration.SqsTopology.SqsConsume.GetSqsMessageTopology<T>();
            if (topology.ConfigureConsumeTopology)
                topology.Subscribe();
        }
        return base.ConnectConsumePipe(pipe, options);
    }
}
