using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Consumers;
using Persisters.Consumers.Demand;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Tests.Support;

namespace Persisters.Tests.Demand;

/// <summary>
/// The four persisters in on-demand mode (<c>AddPersisters(onDemand: true)</c>) with the demand controller, on the
/// MassTransit in-memory test harness (built by <see cref="HarnessBuilder"/>) over a fresh SQLite file. The periodic reconcile is pushed out of the way
/// (an hour) so that tests call <see cref="PersisterDemandController.ReconcileAsync"/> or publish the change message.
/// </summary>
public sealed class DemandHarness : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);
    private readonly HarnessHost _host;

    private DemandHarness(HarnessHost host, ManualClock clock)
    {
        _host = host;
        Clock = clock;
        Controller = host.Provider.GetRequiredService<PersisterDemandController>();
    }

    public ServiceProvider Provider => _host.Provider;
    public ITestHarness Harness => _host.Harness;
    public ManualClock Clock { get; }
    public PersisterDemandController Controller { get; }

    public static readonly string[] Dwh = [PersisterQueues.EvaluationDwh, PersisterQueues.GoalDwh];
    public static readonly string[] Ops = [PersisterQueues.EvaluationOps, PersisterQueues.GoalOps];

    /// <param name="configure">Last changes to the services (e.g. a stand-in for the transport's topology deployer).</param>
    public static async Task<DemandHarness> StartAsync(Action<IServiceCollection>? configure = null)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var host = await new HarnessBuilder(testTimeout: TimeSpan.FromSeconds(30), inactivityTimeout: TimeSpan.FromMilliseconds(400))
            .Clock(clock)
            .Metrics()
            .Services(services =>
            {
                services.AddOptions<PersisterOptions>().Configure(o =>
                {
                    o.OnDemand = true;
                    o.ReconcileInterval = TimeSpan.FromHours(1);
                    PersisterHarness.TestDefaults(o);
                });
                services.AddPersisterDemandServices();
            })
            .Bus(x =>
            {
                x.AddPersisters(onDemand: true);
                x.AddPersisterDemandController();
            })
            .LastServices(configure)
            .StartAsync();
        var harness = new DemandHarness(host, clock);
        await harness.Controller.BusReady.WaitAsync(WaitLimit);
        // The start reconcile runs in the background; this one waits behind it (or does its work), so the queues are declared.
        await harness.Controller.ReconcileAsync("test start");
        return harness;
    }

    public async Task SeedAsync(ExperimentDefinition experiment)
    {
        await Provider.GetRequiredService<DefinitionStore>().UpsertExperimentAsync(experiment, Clock.UnixNow, CancellationToken.None);
    }

    public async Task SeedAsync(AutoOpsRuleDefinition rule)
    {
        await Provider.GetRequiredService<DefinitionStore>().UpsertRuleAsync(rule, Clock.UnixNow, CancellationToken.None);
    }

    /// <summary>What the experiment saga publishes when an experiment becomes live or stops being live.</summary>
    public Task PublishDemandChangedAsync(ExperimentDefinition experiment) =>
        Harness.Bus.Publish(new PersisterDemandChanged
        {
            ExperimentId = experiment.ExperimentId,
            EnvironmentId = experiment.EnvironmentId,
            Status = experiment.Status,
            IsLive = experiment.Status == ExperimentStatus.Running,
            Timestamp = Clock.UnixNow,
        });

    /// <summary>Waits until exactly these endpoints are connected (the change message is handled asynchronously).</summary>
    public async Task WaitForConnectedAsync(params string[] expected)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (!Controller.ConnectedEndpoints.OrderBy(n => n).SequenceEqual(expected.OrderBy(n => n)))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Connected: [{string.Join(", ", Controller.ConnectedEndpoints)}], expected [{string.Join(", ", expected)}].");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the evaluation_event table holds this many rows.</summary>
    public async Task<int> WaitForEvaluationRowsAsync(int expected)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var count = await QueryAsync(db => db.EvaluationEvents.CountAsync());
            if (count >= expected || DateTime.UtcNow > deadline) return count;
            await Task.Delay(20);
        }
    }

    /// <summary>Lets the bus go quiet (the harness's inactivity timeout) so anything that would be consumed has been.</summary>
    public Task SettleAsync() => Harness.InactivityTask;

    public Task<int> EvaluationRowCountAsync() => QueryAsync(db => db.EvaluationEvents.CountAsync());

    public Task<T> QueryAsync<T>(Func<PersistersDbContext, Task<T>> query) => _host.QueryAsync(query);

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
