using MassTransit;
using MassTransit.Configuration;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// A receive endpoint's context (MassTransit's <see cref="BaseReceiveEndpointContext"/>) that keeps its send and consume
/// agents itself, in one list, and stops them when its receive agent has drained (<see cref="StopAgents"/>). A restart
/// of the endpoint starts with an empty list. Exceptions are passed on as they are.
/// </summary>
internal abstract class TransportReceiveEndpointContext : BaseReceiveEndpointContext
{
    private readonly List<IAgent> _agents = [];

    protected TransportReceiveEndpointContext(IHostConfiguration hostConfiguration, IReceiveEndpointConfiguration configuration)
        : base(hostConfiguration, configuration)
    {
    }

    public override void AddSendAgent(IAgent agent)
    {
        lock (_agents)
            _agents.Add(agent);
    }

    public override void AddConsumeAgent(IAgent agent)
    {
        lock (_agents)
            _agents.Add(agent);
    }

    /// <summary>Stops, one after the other, every agent added since the last call, and forgets them.</summary>
    public async Task StopAgents(CancellationToken cancellationToken)
    {
        IAgent[] agents;
        lock (_agents)
        {
            agents = _agents.ToArray();
            _agents.Clear();
        }
        foreach (var agent in agents)
            await agent.Stop("Receive endpoint stopped", cancellationToken);
    }

    public override Exception ConvertException(Exception exception, string message) => exception;
}
