using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// Polls one queue while the endpoint runs, never holding more messages than the endpoint's concurrency limit (or
/// prefetch count). One poller always long-polls (up to 10 messages, up to WaitTimeSeconds). Up to ceil(limit / 10) - 1
/// helper pollers join while there is a backlog (a receive came back full) and leave when a receive comes back short,
/// so an idle endpoint costs one long poll at a time and a busy one keeps its prefetch filled. Stops polling the moment
/// the endpoint stops; in-flight messages finish, messages received too late are made visible again.
/// </summary>
internal sealed class SqsReceiveAgent : TransportReceiveAgent<string, Message, SqsInFlightMessage>
{
    private const int MaxPollers = 100;

    private readonly SqsReceiveEndpointContext _context;
    private readonly SqsBroker _broker;
    private readonly int _limit;
    private readonly int _pollers;
    private readonly SemaphoreSlim _slots;
    private TaskCompletionSource _backlog = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string _queueUrl = "";

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
        StartReceiving();
    }

    protected override Task<Exception> StartFaulted(Exception exception)
    {
        LogContext.Error?.Log(exception, "Amazon SQS receive endpoint {InputAddress} could not start", _context.InputAddress);
        return Task.FromResult(exception);
    }

    protected override async Task Receive()
    {
        var pollers = new Task[_pollers];
        for (var i = 0; i < pollers.Length; i++)
        {
            var index = i;
            pollers[i] = Task.Run(() => Poll(index));
        }
        await Task.WhenAll(pollers);
    }

    /// <summary>Creates the queue (and its _error queue) and records its subscriptions, retrying briefly.</summary>
    protected override async Task<bool> Prepare()
    {
        _queueUrl = await DeployQueue();
        return true;
    }

    private async Task<string> DeployQueue()
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
                messages = await _broker.Messages.Receive(_queueUrl, wanted, wait, _context.VisibilityTimeout, Stopping);
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
                await ReceiveFailed(exception);
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

            await ReceiveSucceeded();
            if (messages.Count < wanted)
                _slots.Release(wanted - messages.Count);
            if (messages.Count == Batcher<object>.MaxEntries)
                SignalBacklog();
            else if (index > 0 && messages.Count < wanted)
                busy = false;
            foreach (var message in messages)
                StartHandler(message, _slots);
        }
    }

    protected override Delivery<string, SqsInFlightMessage> CreateDelivery(Message message)
    {
        var tracked = new SqsInFlightMessage(_queueUrl, message, _context.VisibilityTimeout);
        var redelivered = message.Attributes is not null
            && message.Attributes.TryGetValue(MessageSystemAttributeName.ApproximateReceiveCount, out var count)
            && int.TryParse(count, out var receiveCount) && receiveCount > 1;
        return new Delivery<string, SqsInFlightMessage>(message.MessageId, tracked, new SqsReceiveContext(message, redelivered, _context),
            new SqsReceiveLockContext(_broker.Messages, tracked, _context.InputAddress));
    }

    protected override async Task GiveBack(Message message)
    {
        try
        {
            await _broker.Messages.Release(_queueUrl, message.ReceiptHandle);
        }
        catch (Exception exception)
        {
            LogContext.Debug?.Log(exception, "Releasing SQS message {MessageId} failed", message.MessageId);
        }
    }

    protected override TimeSpan RenewalPeriod => TimeSpan.FromSeconds(Math.Clamp(_context.VisibilityTimeout / 4.0, 0.25, 10));

    /// <summary>
    /// Keeps the messages that are still being consumed (for example held by a batch consumer) invisible: every few
    /// seconds, each one within half a visibility timeout of reappearing gets a new full timeout
    /// (ChangeMessageVisibilityBatch, ten at a time).
    /// </summary>
    protected override async Task RenewDueLocks()
    {
        var timeout = _context.VisibilityTimeout;
        var threshold = TimeSpan.FromSeconds(timeout / 2.0);
        var now = DateTime.UtcNow;
        var due = InFlight.Where(m => !m.IsSettled && !m.LockLost && m.VisibleUntil - now < threshold).ToList();
        foreach (var chunk in due.Chunk(Batcher<object>.MaxEntries))
        {
            try
            {
                var results = await _broker.Messages.ChangeVisibilityBatch(_queueUrl, chunk.Select(m => m.ReceiptHandle).ToList(), timeout,
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

    protected override async Task ReleaseUnsettled(IEnumerable<SqsInFlightMessage> unsettled)
    {
        foreach (var message in unsettled)
        {
            try
            {
                await _broker.Messages.Release(message.QueueUrl, message.ReceiptHandle);
            }
            catch (Exception exception)
            {
                LogContext.Debug?.Log(exception, "Releasing SQS message {MessageId} failed", message.MessageId);
            }
        }
    }

    protected override Task DeleteTemporaryEntities(CancellationToken cancellationToken) =>
        _context.IsTemporary ? _broker.Queues.DeleteQueue(_context.QueueName, cancellationToken) : Task.CompletedTask;
}
