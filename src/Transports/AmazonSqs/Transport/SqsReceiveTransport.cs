using MassTransit.Transports;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AmazonSqs.Transport;

internal sealed class SqsReceiveTransport(SqsReceiveEndpointContext context)
    : TransportReceiveTransport<SqsReceiveEndpointContext>(context, "AmazonSqs (Persisters)")
{
    public override ReceiveTransportHandle Start()
    {
        var topology = Context.SendTopology;
        var errorQueue = topology.ErrorQueueNameFormatter.FormatErrorQueueName(Context.QueueName);
        var skippedQueue = topology.DeadLetterQueueNameFormatter.FormatDeadLetterQueueName(Context.QueueName);
        AddMoveTransports(new SqsMoveTransport(Context.Broker, errorQueue, Context.HostAddress),
            new SqsMoveTransport(Context.Broker, skippedQueue, Context.HostAddress));
        return new SqsReceiveAgent(Context);
    }
}
