using Azure.Messaging.ServiceBus.Administration;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AzureServiceBus.Transport;

internal sealed class ServiceBusReceiveTransport(ServiceBusReceiveEndpointContext context)
    : TransportReceiveTransport<ServiceBusReceiveEndpointContext>(context, "AzureServiceBus (Persisters)")
{
    public override ReceiveTransportHandle Start()
    {
        var entities = Context.Entities;
        var broker = Context.Broker;
        var queue = entities.Queue;

        // The _error and _skipped queues exist from the endpoint's start (see ServiceBusReceiveAgent); a temporary or
        // terminal queue has none, and creates them on first use if it ever needs them.
        var errorOptions = entities.ErrorQueue ?? ServiceBusDefaults.MoveQueue(queue, $"{queue.Name}_error");
        var skippedOptions = entities.SkippedQueue ?? ServiceBusDefaults.MoveQueue(queue, $"{queue.Name}_skipped");
        Task Ensure(CreateQueueOptions options, CancellationToken ct) => broker.CreateEntities ? broker.EnsureQueue(options, ct) : Task.CompletedTask;

        AddMoveTransports(new ServiceBusMoveTransport(broker, errorOptions.Name, ct => Ensure(errorOptions, ct), Context.QueueTimeToLive),
            new ServiceBusMoveTransport(broker, skippedOptions.Name, ct => Ensure(skippedOptions, ct), Context.QueueTimeToLive));
        return new ServiceBusReceiveAgent(Context, entities);
    }
}
