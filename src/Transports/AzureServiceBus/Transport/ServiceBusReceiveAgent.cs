using Azure.Messaging.ServiceBus;
using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>
/// Receives from one queue while the endpoint runs, in peek-lock mode, never holding more messages than the endpoint's
/// limit (the concurrency limit, or else the prefetch count; a batch consumer raises it to MessageLimit x ConcurrencyLimit).
/// One receive call at a time asks for as many messages as there are free slots and waits up to
/// <see cref="ServiceBusReceiveEndpointContext.ReceiveWaitTime"/>, so a whole batch can be in flight at once and an idle
/// endpoint makes one call per wait. The next call is made as soon as one returns, before its messages are dispatched.
/// The SDK's prefetch stays off (as in its own processor): messages exist only in this agent's hands, each with its lock
/// renewed until it is settled, and none is left locked in a buffer when the link closes. (With prefetch off the SDK
/// releases a message that arrives between two receive calls; Service Bus makes it available again without counting a
/// delivery.) On stop the receive call is cancelled, messages being consumed finish (or are cancelled after MassTransit's
/// ConsumerStopTimeout), anything unsettled is abandoned, and the receiver link is closed: a stopped endpoint holds no
/// link and makes no calls. A failed receive call (the namespace unreachable, the connection lost, the entity gone) marks
/// the endpoint faulted (MassTransit's endpoint health, which readiness reads) until a receive call succeeds again.
/// </summary>
internal sealed class ServiceBusReceiveAgent : TransportReceiveAgent<long, ServiceBusReceivedMessage, ServiceBusInFlightMessage>
{
    private const int MaxConcurrentRenewals = 16;
    private static readonly TimeSpan RenewalTick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxReceiveRetryDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RecoveryWaitTime = TimeSpan.FromSeconds(1);

    private readonly ServiceBusReceiveEndpointContext _context;
    private readonly EndpointEntities _entities;
    private readonly ServiceBusBroker _broker;
    private readonly int _limit;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim? _catcherSlot;
    private ServiceBusReceiver? _receiver;

    public ServiceBusReceiveAgent(ServiceBusReceiveEndpointContext context, EndpointEntities entities)
        : base(context)
    {
        _context = context;
        _entities = entities;
        _broker = context.Broker;
        // Messages held at once: the concurrency limit if set (a batch consumer raises it to MessageLimit x ConcurrencyLimit),
        // else the prefetch count.
        _limit = Math.Max(1, context.ConcurrentMessageLimit ?? context.PrefetchCount);
        // With room for two, one slot belongs to a second receive call that asks for one message at a time (see Receive).
        var shared = _limit >= 2 ? _limit - 1 : _limit;
        _slots = new SemaphoreSlim(shared, shared);
        _catcherSlot = _limit >= 2 ? new SemaphoreSlim(1, 1) : null;
        StartReceiving();
    }

    protected override async Task<bool> Prepare()
    {
        if (_entities.IsTemporary && !_broker.CreateEntities)
        {
            // A temporary queue cannot be provisioned in advance: without the right to create it, this endpoint
            // receives nothing (no link, no calls) until it stops.
            LogContext.Warning?.Log("Temporary Service Bus endpoint {Queue} is not created (CreateEntities is false): it receives nothing",
                _context.QueuePath);
            return false;
        }
        await PrepareEntities();
        _receiver = _broker.Client.CreateReceiver(_context.QueuePath, new ServiceBusReceiverOptions
        {
            ReceiveMode = ServiceBusReceiveMode.PeekLock,
            PrefetchCount = 0,
        });
        return true;
    }

    protected override async Task<Exception> StartFaulted(Exception exception)
    {
        // Not transient (missing entities, no rights, a bad name): fail the endpoint's start, and with it the bus's.
        var fault = exception as ConnectionException ?? new ConnectionException(
            $"Azure Service Bus receive endpoint {_context.InputAddress} could not start: {exception.Message}{RightsHint(exception)}", exception, isTransient: false);
        LogContext.Error?.Log(exception, "Azure Service Bus receive endpoint {InputAddress} could not start", _context.InputAddress);
        await _context.TransportObservers.NotifyFaulted(_context.InputAddress, fault);
        return fault;
    }

    /// <summary>
    /// Creates the endpoint's entities, or checks they exist (CreateEntities false). Transient failures (the namespace is
    /// unreachable, throttling) are retried with backoff for as long as the endpoint runs, each reported as a transient
    /// fault; anything else ends the start.
    /// </summary>
    private async Task PrepareEntities()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _broker.PrepareEndpoint(_entities, Stopping);
                return;
            }
            catch (Exception exception) when (IsTransient(exception) && !IsStopping)
            {
                var delay = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(attempt, 5))));
                LogContext.Warning?.Log(exception, "Preparing Service Bus queue {Queue} failed (attempt {Attempt}), retrying in {Delay}", _context.QueuePath,
                    attempt, delay);
                await _context.TransportObservers.NotifyFaulted(_context.InputAddress,
                    new ConnectionException($"Preparing Service Bus queue {_context.QueuePath} failed: {exception.Message}", exception, isTransient: true));
                await Task.Delay(delay, Stopping);
            }
        }
    }

    private static bool IsTransient(Exception exception) => exception switch
    {
        ServiceBusException e => e.IsTransient,
        Azure.RequestFailedException e => e.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or TimeoutException => true,
        _ => false,
    };

    private static string RightsHint(Exception exception) =>
        exception is UnauthorizedAccessException or Azure.RequestFailedException { Status: 401 or 403 }
            ? " (the credentials may not manage entities: give them the Manage right, or provision the entities and set CreateEntities = false)"
            : "";

    protected override async Task Receive()
    {
        var receiver = _receiver!;
        // Two receive calls wait at once: one for as many messages as there are free slots, one for a single message.
        // A message that arrives while one of them is returning (its unused credit is still on the link) finds the
        // other waiting; with prefetch off, the SDK releases a message that finds no waiting call.
        var lanes = new List<Task> { Lane(receiver, _slots) };
        if (_catcherSlot is not null)
            lanes.Add(Lane(receiver, _catcherSlot));
        await Task.WhenAll(lanes);
    }

    /// <summary>One receive loop, taking its messages' slots from <paramref name="slots"/>.</summary>
    private async Task Lane(ServiceBusReceiver receiver, SemaphoreSlim slots)
    {
        var failures = 0;
        Task<IReadOnlyList<ServiceBusReceivedMessage>>? pending = null;
        var pendingWanted = 0;
        while (!IsStopping)
        {
            if (pending is null)
            {
                try
                {
                    await slots.WaitAsync(Stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                pendingWanted = 1 + TakeFreeSlots(slots);
                pending = receiver.ReceiveMessagesAsync(pendingWanted, WaitTime, Stopping);
            }

            IReadOnlyList<ServiceBusReceivedMessage> messages;
            try
            {
                messages = await pending;
                pending = null;
                failures = 0;
                await ReceiveSucceeded();
            }
            catch (Exception) when (IsStopping)
            {
                pending = null;
                slots.Release(pendingWanted);
                break;
            }
            catch (Exception exception)
            {
                pending = null;
                slots.Release(pendingWanted);
                failures++;
                var delay = TimeSpan.FromSeconds(Math.Min(MaxReceiveRetryDelay.TotalSeconds, Math.Pow(2, Math.Min(failures, 4))));
                LogContext.Warning?.Log(exception, "Receiving from Service Bus queue {Queue} failed; retrying in {Delay}", _context.QueuePath, delay);
                // Faulted until a receive call succeeds again (MassTransit's endpoint health, readiness).
                if (!IsReceiveFaulted)
                    await ReceiveFailed(new ConnectionException($"Receiving from Service Bus queue {_context.QueuePath} failed: {exception.Message}", exception, isTransient: true));
                try
                {
                    await Task.Delay(delay, Stopping);
                    if (exception is ServiceBusException { Reason: ServiceBusFailureReason.MessagingEntityNotFound } && _broker.CreateEntities)
                    {
                        _broker.ForgetQueue(_context.QueuePath);
                        await PrepareEntities();
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (Exception prepareException)
                {
                    LogContext.Warning?.Log(prepareException, "Creating Service Bus queue {Queue} again failed", _context.QueuePath);
                }
                continue;
            }

            // Ask again at once, with the slots this call left unused (their credit is still on the link) and any freed
            // meanwhile, so that a message arriving now finds a waiting call; then hand over what arrived.
            var next = pendingWanted - messages.Count + TakeFreeSlots(slots);
            if (next > 0 && !IsStopping)
            {
                pendingWanted = next;
                pending = receiver.ReceiveMessagesAsync(next, WaitTime, Stopping);
            }
            else if (next > 0)
                slots.Release(next);

            foreach (var message in messages)
                StartHandler(message, slots);
        }

        if (pending is not null)
        {
            // The call made just before the stop: cancelled, or (in a race) answered; whatever it got is given back.
            IReadOnlyList<ServiceBusReceivedMessage> late = [];
            try
            {
                late = await pending;
            }
            catch (Exception)
            {
            }
            slots.Release(pendingWanted);
            foreach (var message in late)
                await AbandonQuietly(receiver, message);
        }
    }

    /// <summary>
    /// How long a receive call waits for messages: the endpoint's <see cref="ServiceBusReceiveEndpointContext.ReceiveWaitTime"/>, but
    /// only <see cref="RecoveryWaitTime"/> while the endpoint is faulted, so that an idle endpoint learns within about a second that
    /// Service Bus answers again (an empty answer is a success) instead of at the end of a long wait.
    /// </summary>
    private TimeSpan WaitTime => IsReceiveFaulted ? RecoveryWaitTime : _context.ReceiveWaitTime;

    /// <summary>Takes every free slot at once (none if none is free).</summary>
    private static int TakeFreeSlots(SemaphoreSlim slots)
    {
        var taken = 0;
        while (slots.Wait(0))
            taken++;
        return taken;
    }

    protected override Delivery<long, ServiceBusInFlightMessage> CreateDelivery(ServiceBusReceivedMessage message)
    {
        var tracked = new ServiceBusInFlightMessage(message);
        return new Delivery<long, ServiceBusInFlightMessage>(message.SequenceNumber, tracked, new ServiceBusReceiveContext(message, _context),
            new ServiceBusReceiveLockContext(_receiver!, tracked, _context.InputAddress));
    }

    protected override Task GiveBack(ServiceBusReceivedMessage message) => AbandonQuietly(_receiver!, message);

    private static async Task AbandonQuietly(ServiceBusReceiver receiver, ServiceBusReceivedMessage message)
    {
        try
        {
            await receiver.AbandonMessageAsync(message);
        }
        catch (Exception exception)
        {
            LogContext.Debug?.Log(exception, "Abandoning Service Bus message {MessageId} failed", message.MessageId);
        }
    }

    protected override TimeSpan RenewalPeriod => RenewalTick;

    /// <summary>
    /// Renews the lock of every message still being consumed (for example held by a batch consumer) once half of its lock
    /// is used, for up to the endpoint's MaxAutoRenewDuration (default: as long as it is consumed).
    /// </summary>
    protected override async Task RenewDueLocks()
    {
        if (_receiver is not { } receiver)
            return;
        var limit = _context.MaxAutoRenewDuration;
        var now = DateTime.UtcNow;
        var due = InFlight
            .Where(m => !m.IsSettled && !m.LockLost && m.RenewAt <= now && (limit is null || now - m.ReceivedAt < limit))
            .ToList();
        if (due.Count == 0)
            return;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentRenewals }, async (message, _) =>
        {
            try
            {
                await receiver.RenewMessageLockAsync(message.Message, CancellationToken.None);
                message.ScheduleRenewal(DateTime.UtcNow);
            }
            catch (ServiceBusException exception) when (exception.Reason == ServiceBusFailureReason.MessageLockLost)
            {
                message.LockLost = !message.IsSettled;
            }
            catch (Exception exception) when (!message.IsSettled)
            {
                LogContext.Warning?.Log(exception, "Renewing the lock of Service Bus message {MessageId} failed", message.Message.MessageId);
            }
            catch (Exception)
            {
                // settled meanwhile: the renewal no longer matters
            }
        });
    }

    protected override async Task ReleaseUnsettled(IEnumerable<ServiceBusInFlightMessage> unsettled)
    {
        if (_receiver is not { } receiver)
            return;
        foreach (var message in unsettled)
            await AbandonQuietly(receiver, message.Message);
        try
        {
            await receiver.CloseAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogContext.Warning?.Log(exception, "Closing the Service Bus receiver of {Queue} failed", _context.QueuePath);
        }
    }

    protected override async Task DeleteTemporaryEntities(CancellationToken cancellationToken)
    {
        if (!_entities.IsTemporary || !_broker.CreateEntities)
            return;
        try
        {
            await _broker.DeleteEndpointEntities(_entities);
        }
        catch (Exception exception)
        {
            LogContext.Warning?.Log(exception, "Deleting temporary Service Bus queue {Queue} failed; Service Bus deletes it when it has been idle for 5 minutes",
                _context.QueuePath);
        }
    }
}
