using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Persisters.Consumers.Definitions;
using Persisters.Consumers.Diagnostics;
using Persisters.Persistence;

namespace Persisters.Consumers.Demand;

/// <summary>
/// Connects the persister endpoints only while something needs them (<c>Persisters:OnDemand</c>):
/// the DWH pair (<c>evaluation-events-dwh</c>, <c>goal-events-dwh</c>) while any experiment is live
/// (running, or stopped within <see cref="PersisterOptions.LateEventTail"/>), the OPS pair
/// (<c>evaluation-events-ops</c>, <c>goal-events-ops</c>) while any auto-ops rule is active.
/// </summary>
/// <remarks>
/// <para>
/// Demand is read from the database once the bus has started (<see cref="IBusObserver.PostStart"/>), again on every
/// <c>PersisterDemandChanged</c> (received on a temporary per-instance endpoint, so every replica hears it), and every
/// <see cref="PersisterOptions.ReconcileInterval"/> (one query per interval per host), so a lost message costs at
/// most one interval. All connect/stop decisions are serialised by one semaphore and are idempotent.
/// </para>
/// <para>
/// Stopping an endpoint (<see cref="HostReceiveEndpointHandle.StopAsync"/>) removes its consumer but not its queue:
/// batches in flight finish first, and messages that arrive while it is stopped stay in the queue (RabbitMQ queues
/// stay declared and bound; the in-memory fabric keeps them) until the endpoint is connected again. This is the
/// default; a broker-side message TTL on the queue is the way to bound what is kept. So that the first events after
/// demand appears are not lost on a broker that never saw the queue, the controller declares every persister queue
/// once at start (a connect that is stopped at once) unless <see cref="PersisterOptions.DeclareQueuesAtStart"/> is off.
/// </para>
/// </remarks>
public sealed class PersisterDemandController : IStartStopBusObserver, IPersisterDemand, IDisposable
{
    private readonly IServiceProvider _services;
    private readonly DefinitionStore _store;
    private readonly LiveDefinitions _definitions;
    private readonly IOptions<PersisterOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<PersisterDemandController> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, HostReceiveEndpointHandle> _connected = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<PersisterEndpoint> _endpoints;
    private readonly TaskCompletionSource _busReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string[] _connectedNames = [];
    private volatile bool _stopping;
    private bool _declared;
    private volatile bool _reconciled;
    private readonly Dictionary<string, int> _stallStrikes = new(StringComparer.Ordinal);
    private readonly Counter<long> _restarts;

    public PersisterDemandController(IServiceProvider services, DefinitionStore store, LiveDefinitions definitions, IOptions<PersisterOptions> options,
        TimeProvider clock, ILogger<PersisterDemandController> logger, PersisterMetrics metrics)
    {
        _services = services;
        _store = store;
        _definitions = definitions;
        _options = options;
        _clock = clock;
        _logger = logger;
        _endpoints = PersisterCatalogue.All.Select(p => new PersisterEndpoint(p.Group, p.QueueName, p.EndpointConfiguration(options))).ToList();
        metrics.Meter.CreateObservableGauge("persisters_connected_endpoints", () => _connectedNames.Length,
            description: "Persister endpoints this process has connected (on-demand mode).");
        _restarts = metrics.Meter.CreateCounter<long>("persisters_endpoint_restarts",
            description: "Persister endpoints reconnected because the broker listed no consumer on their queue while messages waited.");
    }

    /// <summary>Queue names of the persister endpoints connected now, in order.</summary>
    public IReadOnlyList<string> ConnectedEndpoints => _connectedNames;

    /// <summary>Whether demand has been read and applied at least once since the bus started.</summary>
    public bool HasReconciled => _reconciled;

    public bool IsConnected(string queueName) => _connectedNames.Contains(queueName, StringComparer.Ordinal);

    /// <summary>Completes once the bus has started (the controller reconciles only then).</summary>
    public Task BusReady => _busReady.Task;

    /// <summary>Reads demand from the database and connects or stops endpoints to match it. Idempotent.</summary>
    public async Task ReconcileAsync(string reason = "reconcile", CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_stopping) return;
            var now = _clock.GetUtcNow();
            var (experiments, rules) = await _store.CountDemandAsync(now.ToUnixTimeSeconds(), _options.Value.LateEventTail, ct);
            var needed = new HashSet<string>(StringComparer.Ordinal);
            if (experiments > 0) needed.Add(PersisterCatalogue.DwhGroup);
            if (rules > 0) needed.Add(PersisterCatalogue.OpsGroup);

            if (!_declared && _options.Value.DeclareQueuesAtStart) await DeclareQueuesAsync(needed, ct);
            _declared = true;

            var connect = _endpoints.Where(e => needed.Contains(e.Group) && !_connected.ContainsKey(e.QueueName)).ToList();
            var stop = _endpoints.Where(e => !needed.Contains(e.Group) && _connected.ContainsKey(e.QueueName)).ToList();

            if (connect.Count > 0)
            {
                var connector = _services.GetRequiredService<IReceiveEndpointConnector>();
                foreach (var endpoint in connect) await ConnectAsync(endpoint, connector, ct);
                _logger.LogInformation("Connected persister endpoints {Endpoints}: {Reason}", string.Join(", ", connect.Select(e => e.QueueName)),
                    Describe(reason, experiments, rules));
            }

            if (stop.Count > 0)
            {
                foreach (var endpoint in stop)
                {
                    var handle = _connected[endpoint.QueueName];
                    _connected.Remove(endpoint.QueueName);
                    Publish();
                    // Batches in flight finish; unfetched messages stay in the queue.
                    await handle.StopAsync(ct);
                }
                _logger.LogInformation("Stopped persister endpoints {Endpoints}: {Reason}", string.Join(", ", stop.Select(e => e.QueueName)),
                    Describe(reason, experiments, rules));
            }
            _reconciled = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ConnectAsync(PersisterEndpoint endpoint, IReceiveEndpointConnector connector, CancellationToken ct)
    {
        var handle = endpoint.Connect(connector);
        _connected[endpoint.QueueName] = handle;
        Publish();
        try
        {
            await handle.Ready.WaitAsync(ct);
        }
        catch
        {
            // Not ready: forget it so that the next reconcile connects it again.
            _connected.Remove(endpoint.QueueName);
            Publish();
            await handle.StopAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// Reconnects every connected persister endpoint that the broker lists with no consumer while messages wait in its queue,
    /// seen on two checks in a row. Returns the queues it reconnected.
    /// </summary>
    /// <remarks>
    /// Why: after a RabbitMQ restart mid-stream, MassTransit 8.5's consumer of a batch endpoint can stay stuck behind the
    /// deliveries it held when the channel died (the chaos suite's broker restart showed 0 consumers on
    /// <c>evaluation-events-ops</c> for minutes while the endpoint still reported itself ready). The stuck endpoint is
    /// removed (its stop is given 10 s and then left behind: its deliveries were never acknowledged, so the broker has
    /// requeued them) and a new one connected; the idempotent writes make any redelivery harmless. Transports that cannot
    /// count consumers (SQS, in-memory) are not checked. A broker that cannot be asked is skipped: MassTransit is
    /// reconnecting then.
    /// </remarks>
    public async Task<IReadOnlyList<string>> RestartStalledEndpointsAsync(CancellationToken ct = default)
    {
        var deployer = _services.GetRequiredService<IReceiveEndpointTopologyDeployer>();
        var restarted = new List<string>();
        await _gate.WaitAsync(ct);
        try
        {
            if (_stopping) return restarted;
            foreach (var endpoint in _endpoints.Where(e => _connected.ContainsKey(e.QueueName)).ToList())
            {
                var queue = endpoint.QueueName;
                QueueState? state;
                try
                {
                    state = await deployer.GetQueueStateAsync(queue, ct);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    _logger.LogDebug(ex, "Could not read the state of queue {Queue}", queue);
                    _stallStrikes.Remove(queue);
                    continue;
                }
                if (state is null) return restarted;
                if (state.Messages == 0 || state.Consumers > 0)
                {
                    _stallStrikes.Remove(queue);
                    continue;
                }
                if ((_stallStrikes[queue] = _stallStrikes.GetValueOrDefault(queue) + 1) < 2) continue;
                _stallStrikes.Remove(queue);

                _logger.LogWarning("Persister endpoint {Queue} is connected but the broker lists no consumer while {Messages} messages wait; reconnecting it",
                    queue, state.Messages);
                var stalled = _connected[queue];
                _connected.Remove(queue);
                Publish();
                using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
                {
                    try
                    {
                        await stalled.StopAsync(stop.Token).WaitAsync(TimeSpan.FromSeconds(10), ct);
                    }
                    catch (Exception ex) when (!ct.IsCancellationRequested)
                    {
                        _logger.LogWarning(ex, "The stalled endpoint {Queue} did not stop within 10 s; left behind", queue);
                    }
                }
                await ConnectAsync(endpoint, _services.GetRequiredService<IReceiveEndpointConnector>(), ct);
                _restarts.Add(1, new KeyValuePair<string, object?>("persister", queue));
                restarted.Add(queue);
            }
            return restarted;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Checks the connected endpoints every <paramref name="interval"/> until cancelled (after the bus has started).</summary>
    public async Task RunStallWatchAsync(TimeSpan interval, CancellationToken ct)
    {
        await _busReady.Task.WaitAsync(ct);
        using var timer = new PeriodicTimer(interval, _clock);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                await RestartStalledEndpointsAsync(ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                _logger.LogWarning(ex, "Checking the persister endpoints for a stalled consumer failed; trying again in {Interval}", interval);
            }
        }
    }

    /// <summary>A definition changed: drop the cached definitions and reconcile.</summary>
    public Task OnDemandChangedAsync(string reason, CancellationToken ct)
    {
        _definitions.Invalidate();
        return ReconcileAsync(reason, ct);
    }

    /// <summary>
    /// Declares the queues not connected now through the transport's <see cref="IReceiveEndpointTopologyDeployer"/>:
    /// topology only, so the messages waiting in them stay there (the connected ones declare themselves).
    /// </summary>
    private async Task DeclareQueuesAsync(HashSet<string> needed, CancellationToken ct)
    {
        var deployer = _services.GetRequiredService<IReceiveEndpointTopologyDeployer>();
        var context = _services.GetRequiredService<IBusRegistrationContext>();
        var declared = new List<string>();
        foreach (var endpoint in _endpoints.Where(e => !needed.Contains(e.Group)))
        {
            await deployer.DeployAsync(endpoint.QueueName, e => endpoint.Configure(context, e), ct);
            declared.Add(endpoint.QueueName);
        }
        if (declared.Count > 0) _logger.LogInformation("Declared persister queues {Queues} (topology only; nothing consumes them now)", string.Join(", ", declared));
    }

    private static string Describe(string reason, int experiments, int rules) =>
        $"{reason} ({experiments} live experiment(s), {rules} active rule(s))";

    private void Publish() => _connectedNames = _endpoints.Select(e => e.QueueName).Where(_connected.ContainsKey).ToArray();

    /// <summary>Reconciles every <see cref="PersisterOptions.ReconcileInterval"/> until cancelled (after the bus has started).</summary>
    public async Task RunPeriodicAsync(CancellationToken ct)
    {
        await _busReady.Task.WaitAsync(ct);
        var interval = _options.Value.ReconcileInterval;
        if (interval < TimeSpan.FromSeconds(1))
        {
            _logger.LogWarning("Persisters:ReconcileInterval {Interval} is too short; using 1 second", interval);
            interval = TimeSpan.FromSeconds(1);
        }
        using var timer = new PeriodicTimer(interval, _clock);
        while (await timer.WaitForNextTickAsync(ct))
        {
            try
            {
                await ReconcileAsync("periodic reconcile", ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                _logger.LogWarning(ex, "Persister demand reconcile failed; trying again in {Interval}", interval);
            }
        }
    }

    Task IBusObserver.PostStart(IBus bus, Task<BusReady> busReady)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                await busReady;
                _stopping = false;
                _busReady.TrySetResult();
                await ReconcileAsync("start");
            }
            catch (Exception ex)
            {
                _busReady.TrySetResult();
                _logger.LogWarning(ex, "Persister demand reconcile at start failed; the periodic reconcile will try again");
            }
        });
        return Task.CompletedTask;
    }

    async Task IBusObserver.PreStop(IBus bus)
    {
        // The bus stops every endpoint it has; forget the handles so nothing is stopped twice.
        await _gate.WaitAsync();
        try
        {
            _stopping = true;
            _reconciled = false;
            _connected.Clear();
            _stallStrikes.Clear();
            _declared = false;
            Publish();
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private sealed record PersisterEndpoint(string Group, string QueueName, Action<IRegistrationContext, IReceiveEndpointConfigurator> Configure)
    {
        public HostReceiveEndpointHandle Connect(IReceiveEndpointConnector connector) => connector.ConnectReceiveEndpoint(QueueName, Configure);
    }
}
