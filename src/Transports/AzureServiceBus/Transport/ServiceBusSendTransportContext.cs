using Azure.Messaging.ServiceBus;
using MassTransit;
using MassTransit.Scheduling;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Configuration;
using Persisters.Transports.AzureServiceBus.Scheduling;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>Sends to one queue, or publishes to one topic (creating the entities on first use when allowed).</summary>
internal sealed class ServiceBusSendTransportContext : TransportSendTransportContext<ServiceBusHostConfiguration>, SendTransportContext<TransportPipeContext>
{
    private readonly ServiceBusAddress _target;
    private readonly PublishEntities? _publish;
    private readonly TimeSpan? _autoDelete;

    /// <param name="publish">The topic and its forwarding subscriptions for a publish; null for a send.</param>
    /// <param name="autoDelete">For a send that creates its queue: the auto-delete-on-idle of a temporary queue.</param>
    public ServiceBusSendTransportContext(ServiceBusHostConfiguration hostConfiguration, ReceiveEndpointContext receiveEndpointContext,
        ServiceBusAddress target, PublishEntities? publish, TimeSpan? autoDelete)
        : base(hostConfiguration, receiveEndpointContext)
    {
        _target = target;
        _publish = publish;
        _autoDelete = autoDelete;
    }

    public override string EntityName => _target.Path;
    public override string ActivitySystem => "servicebus";

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateScope("servicebus");
        scope.Add("entityPath", _target.Path);
        scope.Add("type", _target.Type.ToString());
    }

    public override async Task<SendContext<T>> CreateSendContext<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
    {
        var sendContext = new ServiceBusSendContextImpl<T>(message, cancellationToken);
        await pipe.Send(sendContext);
        return sendContext;
    }

    public async Task Send<T>(TransportPipeContext transportContext, SendContext<T> sendContext)
        where T : class
    {
        var context = sendContext as ServiceBusSendContextImpl<T> ?? throw new ArgumentException("Unexpected SendContext type", nameof(sendContext));
        var cancellationToken = sendContext.CancellationToken;
        cancellationToken.ThrowIfCancellationRequested();
        var broker = HostConfiguration.Broker;

        // Cancelling a schedule made by this transport: the token id carries the scheduled message's sequence number.
        if (context.Message is CancelScheduledMessage cancel && ScheduledSequenceNumber.TryRead(cancel.TokenId, out var cancelSequence))
        {
            try
            {
                await broker.CancelScheduled(_target.Path, cancelSequence, cancellationToken);
            }
            catch (ServiceBusException exception) when (exception.Reason == ServiceBusFailureReason.MessageNotFound)
            {
                LogContext.Debug?.Log("Scheduled message {SequenceNumber} on {Entity} was already delivered or cancelled", cancelSequence, _target.Path);
            }
            return;
        }

        await PrepareTarget(broker, cancellationToken);

        var message = ServiceBusHeaders.ToMessage(context);
        if (context.ScheduledEnqueueTimeUtc is { } enqueueAt && enqueueAt > DateTime.UtcNow)
        {
            // Service Bus keeps the message until its time; the schedule's token id is its sequence number.
            context.Headers.Set(MessageHeaders.SchedulingTokenId, null);
            message = ServiceBusHeaders.ToMessage(context);
            var sequenceNumber = await broker.Schedule(_target.Path, message, new DateTimeOffset(enqueueAt, TimeSpan.Zero), cancellationToken);
            context.ScheduledMessageId = ScheduledSequenceNumber.ToTokenId(sequenceNumber);
            LogContext.Debug?.Log("Scheduled {MessageId} on {Entity} for {EnqueueTime:O} (sequence number {SequenceNumber})", context.MessageId, _target.Path,
                enqueueAt, sequenceNumber);
            return;
        }

        try
        {
            await broker.Send(_target.Path, message, cancellationToken);
        }
        catch (ServiceBusException exception) when (_publish is not null && !broker.CreateEntities
            && exception.Reason == ServiceBusFailureReason.MessagingEntityNotFound)
        {
            broker.LogMissingTopic(_target.Path);
        }
    }

    /// <summary>Creates the queue, or the publish's topic and forwarding subscriptions, on first use when allowed.</summary>
    private async Task PrepareTarget(ServiceBusBroker broker, CancellationToken cancellationToken)
    {
        if (!broker.CreateEntities)
            return;
        if (_publish is not null)
            await broker.EnsurePublishEntities(_publish, cancellationToken);
        else if (_target.Type == ServiceBusEntityType.Topic)
            await broker.EnsureTopic(ServiceBusDefaults.Topic(_target.Path), cancellationToken);
        else
        {
            var options = ServiceBusDefaults.SendQueue(_target.Path);
            if (_autoDelete is { } idle)
                options.AutoDeleteOnIdle = idle;
            await broker.EnsureQueue(options, cancellationToken);
        }
    }
}
