using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// The receive transport of one endpoint: on <see cref="IReceiveTransport.Start"/> the derived class registers where
/// faulted and skipped messages go (<see cref="AddMoveTransports"/>) and starts its receive agent; observers connect to
/// the endpoint's context.
/// </summary>
/// <remarks>
/// MassTransit's own <see cref="ReceiveTransport{TContext}"/> runs a supervisor and a transport pipe that it restarts
/// under the host's retry policy; these transports' receive agents manage their own connection and faults instead, so
/// this is the plain <see cref="IReceiveTransport"/>.
/// </remarks>
/// <typeparam name="TContext">The transport's receive endpoint context.</typeparam>
/// <param name="transportName">The transport's name in the probe (for example <c>AmazonSqs (Persisters)</c>).</param>
internal abstract class TransportReceiveTransport<TContext>(TContext context, string transportName) : IReceiveTransport
    where TContext : ReceiveEndpointContext
{
    protected TContext Context { get; } = context;

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateScope("receiveTransport");
        scope.Add("type", transportName);
        scope.Set(new { Address = Context.InputAddress, Context.PrefetchCount, Context.ConcurrentMessageLimit });
    }

    public abstract ReceiveTransportHandle Start();

    /// <summary>Makes <paramref name="error"/> the endpoint's error transport and <paramref name="skipped"/> its dead-letter transport.</summary>
    protected void AddMoveTransports(MoveTransport error, MoveTransport skipped)
    {
        IErrorTransport errorTransport = new ErrorTransport(error);
        Context.AddOrUpdatePayload(() => errorTransport, _ => errorTransport);
        IDeadLetterTransport deadLetterTransport = new DeadLetterTransport(skipped);
        Context.AddOrUpdatePayload(() => deadLetterTransport, _ => deadLetterTransport);
    }

    public ConnectHandle ConnectReceiveObserver(IReceiveObserver observer) => Context.ConnectReceiveObserver(observer);
    public ConnectHandle ConnectReceiveTransportObserver(IReceiveTransportObserver observer) => Context.ConnectReceiveTransportObserver(observer);
    public ConnectHandle ConnectPublishObserver(IPublishObserver observer) => Context.ConnectPublishObserver(observer);
    public ConnectHandle ConnectSendObserver(ISendObserver observer) => Context.ConnectSendObserver(observer);
}
