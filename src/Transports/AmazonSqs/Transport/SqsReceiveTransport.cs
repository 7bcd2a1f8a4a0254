using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.AmazonSqs.Transport;

internal sealed class SqsReceiveTransport : IReceiveTransport
{
    private readonly SqsReceiveEndpointContext _context;

    public SqsReceiveTransport(SqsReceiveEndpointContext context)
    {
        _context = context;
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateScope("receiveTransport");
        scope.Add("type", "AmazonSqs (Persisters)");
        scope.Set(new { Address = _context.InputAddress, _context.PrefetchCount, _context.ConcurrentMessageLimit });
    }

    public ReceiveTransportHandle Start()
    {
        var errorQueue = _context.SendTopology.ErrorQueueNameFormatter.FormatErrorQueueName(_context.QueueName);
        IErrorTransport errorTransport = new SqsErrorTransport(_context.Broker, errorQueue, _context.HostAddress);
        _context.AddOrUpdatePayload(() => errorTransport, _ => errorTransport);

        var skippedQueue = _context.SendTopology.DeadLetterQueueNameFormatter.FormatDeadLetterQueueName(_context.QueueName);
        IDeadLetterTransport deadLetterTransport = new SqsDeadLetterTransport(_context.Broker, skippedQueue, _context.HostAddress);
        _context.AddOrUpdatePayload(() => deadLetterTransport, _ => deadLetterTransport);

        return new SqsReceiveAgent(_context);
    }

    public ConnectHandle ConnectReceiveObserver(IReceiveObserver observer) => _context.ConnectReceiveObserver(observer);
    public ConnectHandle ConnectReceiveTransportObserver(IReceiveTransportObserver observer) => _context.ConnectReceiveTransportObserver(observer);
    public ConnectHandle ConnectPublishObserver(IPublishObserver observer) => _context.ConnectPublishObserver(observer);
    public ConnectHandle ConnectSendObserver(ISendObserver observer) => _context.ConnectSendObserver(observer);
}
