using MassTransit;
using MassTransit.Configuration;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.Shared.Configuration;

/// <summary>
/// Builds a receive endpoint's pipes; each consumed message type whose consume topology is on subscribes the endpoint's queue
/// to its published messages (as MassTransit's transports do in their receive endpoint builders).
/// </summary>
internal sealed class TransportReceiveEndpointBuilder : ReceiveEndpointBuilder
{
    private readonly IReceiveEndpointConfiguration _configuration;
    private readonly TransportConsumeTopology _consumeTopology;

    public TransportReceiveEndpointBuilder(IReceiveEndpointConfiguration configuration, TransportConsumeTopology consumeTopology)
        : base(configuration)
    {
        _configuration = configuration;
        _consumeTopology = consumeTopology;
    }

    public override ConnectHandle ConnectConsumePipe<T>(IPipe<ConsumeContext<T>> pipe, ConnectPipeOptions options)
    {
        if (_configuration.ConfigureConsumeTopology && options.HasFlag(ConnectPipeOptions.ConfigureConsumeTopology))
        {
            var topology = _consumeTopology.GetTransportMessageTopology<T>();
            if (topology.ConfigureConsumeTopology)
                topology.Subscribe();
        }
        return base.ConnectConsumePipe(pipe, options);
    }
}
