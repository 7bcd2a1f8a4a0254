using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Topology;

namespace Persisters.Transports.AzureServiceBus.Transport;

internal sealed class ServiceBusReceiveTransport : IReceiveTransport
{
    private readonly ServiceBusReceiveEndpointContext _context;

    public ServiceBusReceiveTransport(ServiceBusReceiveEndpointContext context)
    {
        _context = context;
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateScope("receiveTransport");
        scope.Add("type", "AzureServiceBus (Persisters)");
        scope.Set(new { Address = _context.InputAddress, _context.PrefetchCount, _context.ConcurrentMessageLimit });
    }

    public ReceiveTransportHandle Start()
    {
        var entities = _context.Entities;
        var broker = _context.Broker;
        var queue = entities.Queue;

        // The _error and _skipped queues exist from the endpoint's start (see ServiceBusReceiveAgent); a temporary or
        // terminal queue has none, and creates them on first use if it ever needs them.
        var errorOptions = entities.ErrorQueue ?? ServiceBusDefaults.MoveQueue(queue, $"{queue.Name}_error");
        var skippedOptions = entities.SkippedQueue ?? ServiceBusDefaults.MoveQueue(queue, $"{queue.Name}_skipped");
        Task Ensure(Azure.Messaging.ServiceBus.Administration.CreateQueueOptions options, CancellationToken ct) =>
            broker.CreateEntities ? broker.EnsureQueue(options, ct) : Task.CompletedTask;

        IErrorTransport errorTransport = new ServiceBusErrorTransport(broker, errorOptions.Name, ct => Ensure(errorOptions, ct), _context.QueueTimeToLive);
        _context.AddOrUpdatePayload(() => errorTransport, _ => errorTransport);
        IDeadLetterTransport deadLetterTransport = new ServiceBusDeadLetterTransport(broker, skippedOptions.Name, ct => Ensure(skippedOptions, ct),
            _context.QueueTimeToLive);
        _context.AddOrUpdatePayload(() => deadLetterTransport, _ => deadLetterTransport);

        return new ServiceBusReceiveAgent(_context, entities);
    }

    public ConnectHandle ConnectReceiveObserver(IReceiveObserver observer) => _context.ConnectReceiveObserver(observer);
    public ConnectHandle ConnectReceiveTransportObserver(IReceiveTransportObserver observer) => _context.ConnectReceiveTransportObserver(observer);
    public ConnectHandle ConnectPublishObserver(IPublishObserver observer) => _context.ConnectPublishObserver(observer);
    public ConnectHandle ConnectSendObserver(ISendObserver observer) => _context.ConnectSendObserver(observer);
}
