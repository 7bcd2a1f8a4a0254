using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// Polls one queue while the endpoint runs, never holding more messages than the endpoint's concurrency limit (or
/// prefetch count). One poller always long-polls (up to 10 messages, up to WaitTimeSeconds). Up to ceil(limit / 10) - 1
/// helper pollers join while there is a backlog (a receive came back full) and leave when a receive comes back short,
/// so an idle endpoint costs one long poll at a time and a busy one keeps its prefetch filled. Stops polling the moment
/// the endpoint stops; in-flight messages finish, messages received too late are made visible again.
/// </summary>
internal sealed class SqsReceiveAgent : ConsumerAgent<string>, ReceiveTransportHandle
{
    private const int MaxPollers = 100;

    private readonly SqsReceiveEndpointContext _context;
    private readonly SqsBroker _broker;
    private readonly int _limit;
    private readonly int _pollers;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, InFlightMessage> _inFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _extenderStop = new();
    private readonly object _handlersLock = new();
    private readonly HashSet<Task> _handlers = [];
    private TaskCompletionSource _backlog = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _queueUrl = "";
    private int _receiveFaulted;
    private Task _extender = Task.CompletedTask;

    public SqsReceiveAgent(SqsReceiveEndpointContext context)
        : base(context, StringComparer.Ordinal)
    {
        _context = context;
        _broker = context.Broker;
        // Messages held at once: the concurrency limit if set (a batch consumer raises it to MessageLimit x ConcurrencyLimit),
        // else the prefetch count. Enough pollers to fill it ten at a time; the helpers only poll while there is a backlog.
        _limit = Math.Max(1, context.ConcurrentMessageLimit ?? context.PrefetchCount);
        _pollers = Math.Min(MaxPollers, (_limit + Batcher<object>.MaxEntries - 1) / Batcher<object>.MaxEntries);
        _slots = new SemaphoreSlim(_limit, _limit);
        TrySetConsumeTask(Task.Run(Run));
    }

    Task ReceiveTransportHandle.Stop(CancellationToken cancellationToken) => this.Stop("Stop Receive Transport", cancellationToken);

    private async Task Run()
    {
        try
        {
            await _context.DependenciesReady.WaitAsync(Stopping);
            _queueUrl = await Prepare();
            await _context.TransportObservers.NotifyReady(_context.InputAddress);
            SetReady();
        }
        catch (OperationCanceledException) when (IsStopping)
        {
            SetNotReady(new OperationCanceledException("The receive endpoint was stopped before it was ready."));
            return;
        }
        catch (Exception exception)
        {
            LogContext.Error?.Log(exception, "Amazon SQS receive endpoint {InputAddress} could not start", _context.InputAddress);
            SetNotReady(exception);
            return;
        }

        _extender = Task.Run(ExtendVisibility);
        var pollers = new Task[_pollers];
        for (var i = 0; i < pollers.Length; i++)
        {
            var index = i;
            pollers[i] = Task.Run(() => Poll(index));
        }
        await Task.WhenAll(pollers);
    }

    /// <summary>Creates the queue (and its _error queue) and records its subscriptions, retrying briefly.</summary>
    private async Task<string> Prepare()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // A temporary queue (the bus endpoint, or an endpoint definition marked Temporary) gets no _error
                // queue and is deleted when the endpoint stops; it subscribes like any other.
                return await _broker.DeployQueue(_context.QueueName, _context.IsTemporary, _context.Subscriptions, Stopping);
            }
            catch (AmazonServiceException exception) when (attempt < 4 && !IsStopping)
            {
                LogContext.Warning?.Log(exception, "Preparing SQS queue {Queue} failed (attempt {Attempt}), retrying", _context.QueueName, attempt);
                await Task.Delay(TimeSpan.FromSeconds(attempt), Stopping);
            }
        }
    }

    /// <summary>Wakes the idle helper pollers: the queue has a backlog.</summary>
    private void SignalBacklog() =>
        Interlocked.Exchange(ref _backlog, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task Poll(int index)
    {
        var busy = index == 0;
        while (!IsStopping)
        {
            int wanted;
            try
            {
                if (!busy)
                {
                    await Volatile.Read(ref _backlog).Task.WaitAsync(Stopping);
                    busy = true;
                }
                await _slots.WaitAsync(Stopping);
                wanted = 1;
                while (wanted < Batcher<object>.MaxEntries && _slots.Wait(0))
                    wanted++;
            }
            catch (OperationCanceledException)
            {
                break;
            }

            List<Message> messages;
            try
            {
                var wait = index == 0 ? _context.WaitTimeSeconds : 0;
                messages = await _broker.Receive(_queueUrl, wanted, wait, _context.VisibilityTimeout, Stopping);
            }
            catch (Exception) when (IsStopping)
            {
                _slots.Release(wanted);
                break;
            }
            catch (Exception exception)
            {
                _slots.Release(wanted);
                LogContext.Warning?.Log(exception, "Receiving from SQS queue {Queue} failed", _context.QueueName);
                // The endpoint is faulted until a receive succeeds again (MassTransit's endpoint health, readiness).
                if (Interlocked.Exchange(ref _receiveFaulted, 1) == 0)
                    await _context.TransportObservers.NotifyFaulted(_context.InputAddress, exception);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), Stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }

            if (Interlocked.Exchange(ref _receiveFaulted, 0) == 1)
                await _context.TransportObservers.NotifyReady(_context.InputAddress);
            if (messages.Count < wanted)
                _slots.Release(wanted - messages.Count);
            if (messages.Count == Batcher<object>.MaxEntries)
                SignalBacklog();
            else if (index > 0 && messages.Count < wanted)
                busy = false;
            foreach (var message in messages)
            {
                var handler = Task.Run(() => Handle(message));
                lock (_handlersLock)
                    _handlers.Add(handler);
                _ = handler.ContinueWith(t =>
                {
                    lock (_handlersLock)
                        _handlers.Remove(t);
                }, TaskScheduler.Default);
            }
        }
    }

    private async Task Handle(Message message)
    {
        try
        {
            if (IsStopping)
            {
                // Received while the endpoint was stopping: give it back at once.
                await ReleaseQuietly(message);
                return;
            }

            var tracked = new InFlightMessage(_queueUrl, message, _context.VisibilityTimeout);
            _inFlight[message.ReceiptHandle] = tracked;
            var redelivered = message.Attributes is not null
                && message.Attributes.TryGetValue(MessageSystemAttributeName.ApproximateReceiveCount, out var count)
                && int.TryParse(count, out var receiveCount) && receiveCount > 1;
            var context = new SqsReceiveContext(message, redelivered, _context);
            var lockContext = new SqsReceiveLockContext(_broker, tracked, _context.InputAddress);
            try
            {
                await Dispatch(message.MessageId, context, lockContext);
            }
            catch (Exception exception)
            {
                context.LogTransportFaulted(exception);
            }
            finally
            {
                _inFlight.TryRemove(message.ReceiptHandle, out _);
                context.Dispose();
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task ReleaseQuietly(Message message)
    {
        try
        {
            await _broker.Release(_queueUrl, message.ReceiptHandle);
        }
        catch (Exception exception)
        {
            LogContext.Debug?.Log(exception, "Releasing SQS message {MessageId} failed", message.MessageId);
        }
    }

    /// <summary>
    /// Keeps the messages that are still being consumed (for example held by a batch consumer) invisible: every few
    /// seconds, each one within half a visibility timeout of reappearing gets a new full timeout
    /// (ChangeMessageVisibilityBatch, ten at a time). Makes no call when nothing is in flight.
    /// </summary>
    private async Task ExtendVisibility()
    {
        var timeout = _context.VisibilityTimeout;
        var period = TimeSpan.FromSeconds(Math.Clamp(timeout / 4.0, 0.25, 10));
        var threshold = TimeSpan.FromSeconds(timeout / 2.0);
        while (!_extenderStop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _extenderStop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (_inFlight.IsEmpty)
                continue;

            var now = DateTime.UtcNow;
            var due = _inFlight.Values.Where(m => !m.IsSettled && !m.LockLost && m.VisibleUntil - now < threshold).ToList();
            foreach (var chunk in due.Chunk(Batcher<object>.MaxEntries))
            {
                try
                {
                    var results = await _broker.ChangeVisibilityBatch(_queueUrl, chunk.Select(m => m.ReceiptHandle).ToList(), timeout,
                        CancellationToken.None);
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        if (results[i] is AmazonSQSException { ErrorCode: "ReceiptHandleIsInvalid" or "MessageNotInflight" or "AWS.SimpleQueueService.MessageNotInflight" })
                            chunk[i].LockLost = !chunk[i].IsSettled;
                        else if (results[i] is null)
                            chunk[i].VisibleUntil = now.AddSeconds(timeout);
                        else
                            LogContext.Warning?.Log(results[i]!, "Extending the visibility of SQS message {MessageId} failed", chunk[i].MessageId);
                    }
                }
                catch (Exception exception)
                {
                    LogContext.Warning?.Log(exception, "Extending message visibility on SQS queue {Queue} failed", _context.QueueName);
                }
            }
        }
    }

    protected override async Task ActiveAndActualAgentsCompleted(StopContext context)
    {
        // Waits for the messages being consumed (or cancels them after ConsumerStopTimeout) and for the pollers.
        await base.ActiveAndActualAgentsCompleted(context);

        Task[] handlers;
        lock (_handlersLock)
            handlers = _handlers.ToArray();
        try
        {
            await Task.WhenAll(handlers).WaitAsync(context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        _extenderStop.Cancel();
        await _extender;

        // Anything still unsettled (stop was cancelled): let it reappear now rather than after its timeout.
        foreach (var message in _inFlight.Values.Where(m => !m.IsSettled))
        {
            try
            {
                await _broker.Release(message.QueueUrl, message.ReceiptHandle);
            }
            catch (Exception exception)
            {
                LogContext.Debug?.Log(exception, "Releasing SQS message {MessageId} failed", message.MessageId);
            }
        }

        await _context.StopAgents(context.CancellationToken);
        if (_context.IsTemporary)
            await _broker.DeleteQueue(_context.QueueName, context.CancellationToken);

        await _context.TransportObservers.NotifyCompleted(_context.InputAddress, this);
        _context.LogConsumerCompleted(DeliveryCount, ConcurrentDeliveryCount);
    }
}
