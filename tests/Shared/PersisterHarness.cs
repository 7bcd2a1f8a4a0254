using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Consumers;
using Persisters.Consumers.AutoOps;
using Persisters.Consumers.Definitions;
using Persisters.Consumers.Diagnostics;
using Persisters.Consumers.Persisters;
using Persisters.Contracts;
using Persisters.Persistence;

namespace Persisters.Tests.Support;

/// <summary>
/// The four persisters on the MassTransit in-memory test harness (built by <see cref="HarnessBuilder"/>) over a fresh
/// SQLite file or a given database, with a hand-moved clock and a recorder of the persister metrics. Each test builds its own.
/// </summary>
public sealed class PersisterHarness : IAsyncDisposable
{
    private readonly HarnessHost _host;
    private readonly ConsumeCounter _consumed = new();

    private PersisterHarness(HarnessHost host, ManualClock clock)
    {
        _host = host;
        Clock = clock;
        Metrics = new MetricRecorder(host.Provider.GetRequiredService<PersisterMetrics>());
    }

    public ServiceProvider Provider => _host.Provider;
    public ITestHarness Harness => _host.Harness;
    public ManualClock Clock { get; }
    public MetricRecorder Metrics { get; }

    /// <summary>
    /// The persister options every in-memory persister test starts from: definitions read on every batch (no refresh
    /// interval), 50 ms batches and one retry, so a test sees its events written quickly.
    /// </summary>
    public static void TestDefaults(PersisterOptions options)
    {
        options.DefinitionsRefreshInterval = TimeSpan.Zero;
        options.Batch.TimeLimit = TimeSpan.FromMilliseconds(50);
        options.Batch.RetryLimit = 1;
    }

    /// <param name="configure">Changes to the persister options.</param>
    /// <param name="database">Another database (a MariaDB one); by default a fresh SQLite file.</param>
    /// <param name="killSwitch">Changes to the kill switch's settings (webhooks); the harness runs its dispatcher like a host, and <see cref="DispatchAsync"/> runs one pass more.</param>
    public static async Task<PersisterHarness> StartAsync(Action<PersisterOptions>? configure = null, DatabaseOptions? database = null,
        Action<AutoOpsOptions>? killSwitch = null)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var host = await new HarnessBuilder(testTimeout: TimeSpan.FromSeconds(30), inactivityTimeout: TimeSpan.FromMilliseconds(400))
            .Database(database)
            .Clock(clock)
            .Metrics()
            .Services(services =>
            {
                services.AddOptions<PersisterOptions>().Configure(o =>
                {
                    TestDefaults(o);
                    configure?.Invoke(o);
                });
                services.AddPersisterServices();
                services.Configure<AutoOpsOptions>(o => killSwitch?.Invoke(o));
            })
            .Bus(x => x.AddPersisters())
            .StartAsync();
        var harness = new PersisterHarness(host, clock);
        harness.Harness.Bus.ConnectConsumeObserver(harness._consumed);
        return harness;
    }

    public async Task SeedAsync(ExperimentDefinition experiment)
    {
        await Provider.GetRequiredService<DefinitionStore>().UpsertExperimentAsync(experiment, Clock.UnixNow, CancellationToken.None);
        Provider.GetRequiredService<LiveDefinitions>().Invalidate();
    }

    public async Task SeedAsync(AutoOpsRuleDefinition rule)
    {
        await Provider.GetRequiredService<DefinitionStore>().UpsertRuleAsync(rule, Clock.UnixNow, CancellationToken.None);
        Provider.GetRequiredService<LiveDefinitions>().Invalidate();
    }

    /// <summary>
    /// Publishes the events and waits until both persisters of the type (DWH and OPS) have finished
    /// the batches that hold them.
    /// </summary>
    public Task PublishAsync<T>(params T[] events) where T : class => PublishAndWaitAsync<T>(events.Length, async () =>
    {
        foreach (var e in events) await Harness.Bus.Publish(e);
    });

    /// <summary>Publishes messages of type <typeparamref name="T"/> whose bodies are given as JSON text, and waits as above.</summary>
    public Task PublishJsonAsync<T>(params string[] messages) where T : class, new() => PublishAndWaitAsync<T>(messages.Length, async () =>
    {
        foreach (var json in messages) await Harness.Bus.PublishJsonAsync<T>(json);
    });

    private async Task PublishAndWaitAsync<T>(int count, Func<Task> publish) where T : class
    {
        var before = _consumed.Count<T>();
        await publish();
        var expected = before + 2 * count;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (_consumed.Count<T>() < expected)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Only {_consumed.Count<T>() - before} of {2 * count} consumptions of {typeof(T).Name} happened.");
            await Task.Delay(20);
        }
    }

    /// <summary>One pass of this "host's" kill-switch dispatcher: publishes and delivers the triggers due now; returns how many it worked on.</summary>
    public Task<int> DispatchAsync() => Provider.GetRequiredService<AutoOpsTriggerDispatcher>().RunOnceAsync(CancellationToken.None);

    public Task<List<Persistence.Model.AutoOpsTriggerRow>> TriggersAsync() =>
        QueryAsync(db => db.AutoOpsTriggers.AsNoTracking().OrderBy(t => t.TriggeredAt).ToListAsync());

    /// <summary>Waits (up to 30 s) until every trigger row satisfies <paramref name="done"/> and returns them.</summary>
    public async Task<List<Persistence.Model.AutoOpsTriggerRow>> WaitForTriggersAsync(Func<Persistence.Model.AutoOpsTriggerRow, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var rows = await TriggersAsync();
            if (rows.Count > 0 && rows.All(done)) return rows;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{rows.Count(done)} of {rows.Count} triggers are done.");
            await Task.Delay(20);
        }
    }

    public Task<int> RunGoalRetriesAsync() => Provider.GetRequiredService<GoalRetryWorker>().RunOnceAsync(CancellationToken.None);

    public Task<T> QueryAsync<T>(Func<PersistersDbContext, Task<T>> query) => _host.QueryAsync(query);

    public Task<List<Persistence.Model.EvaluationEventRow>> EvaluationRowsAsync() =>
        QueryAsync(db => db.EvaluationEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync());

    public Task<List<Persistence.Model.GoalEventRow>> GoalRowsAsync() =>
        QueryAsync(db => db.GoalEvents.AsNoTracking().OrderBy(e => e.Id).ThenBy(e => e.ExperimentId).ToListAsync());

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Metrics.Dispose();
    }
}
