using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// Receives from one queue while its endpoint runs (MassTransit's <see cref="ConsumerAgent{TKey}"/>), with what every
/// broker here needs around the broker's own receive loop: the start (wait for the endpoint's dependencies, prepare
/// the queue, report ready or the start fault), one task per message that dispatches it with its lock tracked, a
/// renewal loop over the messages being consumed, the endpoint's faulted state while receives fail, and the stop
/// (wait for the messages being consumed, stop renewing, give back what is unsettled, stop the endpoint's agents,
/// delete a temporary queue, report completed).
/// </summary>
/// <typeparam name="TKey">The key deliveries are tracked by (an SQS message id, a Service Bus sequence number).</typeparam>
/// <typeparam name="TMessage">The broker's received message.</typeparam>
/// <typeparam name="TInFlight">The transport's in-flight message (its lock).</typeparam>
internal abstract class TransportReceiveAgent<TKey, TMessage, TInFlight> : ConsumerAgent<TKey>, ReceiveTransportHandle
    where TInFlight : InFlightMessage
{
    private readonly TransportReceiveEndpointContext _context;
    private readonly ConcurrentDictionary<string, TInFlight> _inFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _renewerStop = new();
    private readonly object _handlersLock = new();
    private readonly HashSet<Task> _handlers = [];
    private Task _renewer = Task.CompletedTask;
    private int _receiveFaulted;

    protected TransportReceiveAgent(TransportReceiveEndpointContext context, IEqualityComparer<TKey>? keyComparer = null)
        : base(context, keyComparer)
    {
        _context = context;
    }

    /// <summary>The messages being consumed, by <see cref="InFlightMessage.LockToken"/>.</summary>
    protected ICollection<TInFlight> InFlight => _inFlight.Values;

    /// <summary>True from a failed receive until the next successful one.</summary>
    protected bool IsReceiveFaulted => Volatile.Read(ref _receiveFaulted) == 1;

    Task ReceiveTransportHandle.Stop(CancellationToken cancellationToken) => this.Stop("Stop Receive Transport", cancellationToken);

    /// <summary>Starts receiving; the derived constructor calls it last, once its own fields are set.</summary>
    protected void StartReceiving() => TrySetConsumeTask(Task.Run(Run));

    private async Task Run()
    {
        try
        {
            await _context.DependenciesReady.WaitAsync(Stopping);
            var receive = await Prepare();
            await _context.TransportObservers.NotifyReady(_context.InputAddress);
            SetReady();
            if (!receive)
            {
                await Task.Delay(Timeout.Infinite, Stopping);
                return;
            }
        }
        catch (OperationCanceledException) when (IsStopping)
        {
            SetNotReady(new OperationCanceledException("The receive endpoint was stopped before it was ready."));
            return;
        }
        catch (Exception exception)
        {
            SetNotReady(await StartFaulted(exception));
            return;
        }

        _renewer = Task.Run(RenewLocks);
        await Receive();
    }

    /// <summary>
    /// Creates or checks the endpoint's queue (retrying what is transient) before the endpoint reports ready; false when
    /// the endpoint stays ready but receives nothing until it stops.
    /// </summary>
    protected abstract Task<bool> Prepare();

    /// <summary>Logs (and reports) a fault that ended the start; returns the exception the endpoint's start fails with.</summary>
    protected abstract Task<Exception> StartFaulted(Exception exception);

    /// <summary>The broker's receive loop(s), until the agent is stopping; each message goes to <see cref="StartHandler"/>.</summary>
    protected abstract Task Receive();

    /// <summary>After a successful receive: the endpoint is no longer faulted (reported once).</summary>
    protected Task ReceiveSucceeded() =>
        Interlocked.Exchange(ref _receiveFaulted, 0) == 1 ? _context.TransportObservers.NotifyReady(_context.InputAddress) : Task.CompletedTask;

    /// <summary>After a failed receive: the endpoint is faulted (MassTransit's endpoint health, which readiness reads) until one succeeds.</summary>
    protected Task ReceiveFailed(Exception fault) =>
        Interlocked.Exchange(ref _receiveFaulted, 1) == 0 ? _context.TransportObservers.NotifyFaulted(_context.InputAddress, fault) : Task.CompletedTask;

    /// <summary>Dispatches <paramref name="message"/> on its own task, which releases one of <paramref name="slots"/> when it ends.</summary>
    protected void StartHandler(TMessage message, SemaphoreSlim slots)
    {
        var handler = Task.Run(() => Handle(message, slots));
        lock (_handlersLock)
            _handlers.Add(handler);
        _ = handler.ContinueWith(t =>
        {
            lock (_handlersLock)
                _handlers.Remove(t);
        }, TaskScheduler.Default);
    }

    private async Task Handle(TMessage message, SemaphoreSlim slots)
    {
        try
        {
            if (IsStopping)
            {
                // Received while the endpoint was stopping: give it back at once.
                await GiveBack(message);
                return;
            }

            var delivery = CreateDelivery(message);
            var lockToken = delivery.Message.LockToken;
            _inFlight[lockToken] = delivery.Message;
            var context = delivery.Context;
            try
            {
                await Dispatch(delivery.Key, context, delivery.LockContext);
            }
            catch (Exception exception)
            {
                context.LogTransportFaulted(exception);
            }
            finally
            {
                _inFlight.TryRemove(lockToken, out _);
                context.Dispose();
            }
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>The receive context, tracked lock and lock context of a message just received.</summary>
    protected abstract Delivery<TKey, TInFlight> CreateDelivery(TMessage message);

    /// <summary>Gives back a message received while stopping; never throws (a failure is logged).</summary>
    protected abstract Task GiveBack(TMessage message);

    /// <summary>How often the renewal loop looks for locks to renew.</summary>
    protected abstract TimeSpan RenewalPeriod { get; }

    /// <summary>Renews the locks of <see cref="InFlight"/> that are due; called only when some message is in flight; logs its failures.</summary>
    protected abstract Task RenewDueLocks();

    private async Task RenewLocks()
    {
        var period = RenewalPeriod;
        while (!_renewerStop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, _renewerStop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (!_inFlight.IsEmpty)
                await RenewDueLocks();
        }
    }

    protected sealed override async Task ActiveAndActualAgentsCompleted(StopContext context)
    {
        // Waits for the messages being consumed (or cancels them after ConsumerStopTimeout) and for the receive loop.
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

        await _renewerStop.CancelAsync();
        await _renewer;

        // Anything still unsettled (the stop was cancelled): give it back now rather than when its lock expires.
        await ReleaseUnsettled(_inFlight.Values.Where(m => !m.IsSettled));

        await _context.StopAgents(context.CancellationToken);
        await DeleteTemporaryEntities(context.CancellationToken);

        await _context.TransportObservers.NotifyCompleted(_context.InputAddress, this);
        _context.LogConsumerCompleted(DeliveryCount, ConcurrentDeliveryCount);
    }

    /// <summary>At stop, after the renewals ended: gives back <paramref name="unsettled"/> and closes the broker's receiver, if any; never throws.</summary>
    protected abstract Task ReleaseUnsettled(IEnumerable<TInFlight> unsettled);

    /// <summary>At stop, last: deletes the endpoint's queue if it is temporary.</summary>
    protected abstract Task DeleteTemporaryEntities(CancellationToken cancellationToken);
}
