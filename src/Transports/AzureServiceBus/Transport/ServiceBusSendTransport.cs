using Azure.Messaging.ServiceBus;
using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Scheduling;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Configuration;
using Persisters.Transports.AzureServiceBus.Scheduling;
using Persisters.Transports.AzureServiceBus.Topology;

namespace Persisters.Transports.AzureServiceBus.Transport;

internal sealed class ServiceBusSendTransportProvider : ISendTransportProvider
{
    readonly ServiceBusHostConfiguration _hostConfiguration;
    readonly ReceiveEndpointContext _context;

    public ServiceBusSendTransportProvider(ServiceBusHostConfiguration hostConfiguration, ReceiveEndpointContext context)
    {
        _hostConfiguration = hostConfiguration;
        _context = context;
    }

    public Uri NormalizeAddress(Uri address) =>
        ServiceBusAddress.Parse(_hostConfiguration.HostAddress, _hostConfiguration.Scope, address).ToUri(_hostConfiguration.HostAddress);

    public Task<ISendTransport> GetSendTransport(Uri address)
    {
        var target = ServiceBusAddress.Parse(_hostConfiguration.HostAddress, _hostConfiguration.Scope, address);
        TransportLogMessages.CreateSendTransport(address);
        var autoDelete = ReadAutoDelete(address);
        var transportContext = new ServiceBusSendTransportContext(_hostConfiguration, _context, target, null, autoDelete);
        return Task.FromResult<ISendTransport>(new SendTransport<ServiceBusPipeContext>(transportContext));
    }

    /// <summary>A temporary endpoint's address carries <c>autodelete=SECONDS</c>, so a send that has to create its queue makes it temporary too.</summary>
    static TimeSpan? ReadAutoDelete(Uri address)
    {
        foreach (var part in address.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length == 2 && kv[0].Equals("autodelete", StringComparison.OrdinalIgnoreCase) && int.TryParse(kv[1], out var seconds) && seconds >= 300)
                return TimeSpan.FromSeconds(seconds);
        }
        return null;
    }
}

internal sealed class ServiceBusPublishTransportProvider : IPublishTransportProvider
{
    readonly ServiceBusHostConfiguration _hostConfiguration;
    readonly ReceiveEndpointContext _context;
    readonly ServiceBusPublishTopology _publishTopology;

    public ServiceBusPublishTransportProvider(ServiceBusHostConfiguration hostConfiguration, ReceiveEndpointContext context,
        ServiceBusPublishTopology publishTopology)
    {
        _hostConfiguration = hostConfiguration;
        _context = context;
        _publishTopology = publishTopology;
    }

    public Task<ISendTransport> GetPublishTransport<T>(Uri? publishAddress)
        where T : class
    {
        var entities = _publishTopology.GetPublishEntities<T>();
        var target = new ServiceBusAddress(ServiceBusEntityType.Topic, entities.TopicPath);
        var transportContext = new ServiceBusSendTransportContext(_hostConfiguration, _context, target, entities, null);
        return Task.FromResult<ISendTransport>(new SendTransport<ServiceBusPipeContext>(transportContext));
    }
}

internal sealed class ServiceBusPipeContext(CancellationToken cancellationToken) : BasePipeContext(cancellationToken);

/// <summary>
/// The send context of this transport: <see cref="SendContext.Delay"/> is a scheduled enqueue time, as in MassTransit's
/// own Service Bus package.
/// </summary>
internal sealed class ServiceBusSendContextImpl<T> : MessageSendContext<T>, ServiceBusSendContext<T>
    where T : class
{
    public ServiceBusSendContextImpl(T message, CancellationToken cancellationToken)
        : base(message, cancellationToken)
    {
    }

    public override TimeSpan? Delay
    {
        get => ScheduledEnqueueTimeUtc is { } at ? at - DateTime.UtcNow : null;
        set => ScheduledEnqueueTimeUtc = value > TimeSpan.Zero ? DateTime.UtcNow + value.Value : null;
    }

    public DateTime? ScheduledEnqueueTimeUtc { get; set; }
    public string? Label { get; set; }
    public string? PartitionKey { get; set; }
}

/// <summary>Sends to one queue, or publishes to one topic (creating the entities on first use when allowed).</summary>
internal sealed class ServiceBusSendTransportContext : BaseSendTransportContext, SendTransportContext<ServiceBusPipeContext>
{
    readonly ServiceBusHostConfiguration _hostConfiguration;
    readonly ServiceBusAddress _target;
    readonly PublishEntities? _publish;
    readonly TimeSpan? _autoDelete;

    /// <param name="publish">The topic and its forwarding subscriptions for a publish; null for a send.</param>
    /// <param name="autoDelete">For a send that creates its queue: the auto-delete-on-idle of a temporary queue.</param>
    public ServiceBusSendTransportContext(ServiceBusHostConfiguration hostConfiguration, ReceiveEndpointContext receiveEndpointContext,
        ServiceBusAddress target, PublishEntities? publish, TimeSpan? autoDelete)
        : base(hostConfiguration, receiveEndpointContext.Serialization)
    {
        _hostConfiguration = hostConfiguration;
        _target = target;
        _publish = publish;
        _autoDelete = autoDelete;
    }

    public override string EntityName => _target.Path;
    public override string ActivitySystem => "servicebus";

    public Task Send(IPipe<ServiceBusPipeContext> pipe, CancellationToken cancellationToken = default) => pipe.Send(new ServiceBusPipeContext(cancellationToken));

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateScope("servicebus");
        scope.Add("entityPath", _target.Path);
        scope.Add("type", _target.Type.ToString());
    }

    public override async Task<SendContext<T>> CreateSendContext<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
    {
        var sendContext = new ServiceBusSendContextImpl<T>(message, cancellationToken);
        await pipe.Send(sendContext).ConfigureAwait(false);
        return sendContext;
    }

    public Task<SendContext<T>> CreateSendContext<T>(ServiceBusPipeContext context, T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class =>
        CreateSendContext(message, pipe, cancellationToken);

    public async Task Send<T>(ServiceBusPipeContext transportContext, SendContext<T> sendContext)
        where T : class
    {
        var context = sendContext as ServiceBusSendContextImpl<T> ?? throw new ArgumentException("Unexpected SendContext type", nameof(sendContext));
        var cancellationToken = sendContext.CancellationToken;
        cancellationToken.ThrowIfCancellationRequested();
        var broker = _hostConfiguration.Broker;

        // Cancelling a schedule made by this transport: the token id carries the scheduled message's sequence number.
        if (context.Message is CancelScheduledMessage cancel && ScheduledSequenceNumber.TryRead(cancel.TokenId, out var cancelSequence))
        {
            try
            {
                await broker.CancelScheduled(_target.Path, cancelSequence, cancellationToken).ConfigureAwait(false);
            }
            catch (ServiceBusException exception) when (exception.Reason == ServiceBusFailureReason.MessageNotFound)
            {
                LogContext.Debug?.Log("Scheduled message {SequenceNumber} on {Entity} was already delivered or cancelled", cancelSequence, _target.Path);
            }
            return;
        }

        await PrepareTarget(broker, cancellationToken).ConfigureAwait(false);

        var message = ServiceBusHeaders.ToMessage(context);
        if (context.ScheduledEnqueueTimeUtc is { } enqueueAt && enqueueAt > DateTime.UtcNow)
        {
            // Service Bus keeps the message until its time; the schedule's token id is its sequence number.
            context.Headers.Set(MessageHeaders.SchedulingTokenId, null);
            message = ServiceBusHeaders.ToMessage(context);
            var sequenceNumber = await broker.Schedule(_target.Path, message, new DateTimeOffset(enqueueAt, TimeSpan.Zero), cancellationToken)
                .ConfigureAwait(false);
            context.ScheduledMessageId = ScheduledSequenceNumber.ToTokenId(sequenceNumber);
            LogContext.Debug?.Log("Scheduled {MessageId} on {Entity} for {EnqueueTime:O} (sequence number {SequenceNumber})", context.MessageId, _target.Path,
                enqueueAt, sequenceNumber);
            return;
        }

        try
        {
            await broker.Send(_target.Path, message, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceBusException exception) when (_publish is not null && !broker.CreateEntities
            && exception.Reason == ServiceBusFailureReason.MessagingEntityNotFound)
        {
            broker.LogMissingTopic(_target.Path);
        }
    }

    /// <summary>Creates the queue, or the publish's topic and forwarding subscriptions, on first use when allowed.</summary>
    async Task PrepareTarget(ServiceBusBroker broker, CancellationToken cancellationToken)
    {
        if (!broker.CreateEntities)
            return;
        if (_publish is not null)
            await broker.EnsurePublishEntities(_publish, cancellationToken).ConfigureAwait(false);
        else if (_target.Type == ServiceBusEntityType.Topic)
            await broker.EnsureTopic(ServiceBusDefaults.Topic(_target.Path), cancellationToken).ConfigureAwait(false);
        else
        {
            var options = ServiceBusDefaults.SendQueue(_target.Path);
            if (_autoDelete is { } idle)
                options.AutoDeleteOnIdle = idle;
            await broker.EnsureQueue(options, cancellationToken).ConfigureAwait(false);
        }
    }
}
