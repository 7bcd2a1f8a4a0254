using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Consumers.AutoOps;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;

namespace Persisters.Sagas.Tests.Support;

/// <summary>
/// The experiment lifecycle on the MassTransit in-memory test harness (built by <see cref="HarnessBuilder"/>), with the real EF Core repository over a
/// migrated database (a temp SQLite file unless given). Each test builds its own; two harnesses over one database
/// in turn are a restart.
/// </summary>
public sealed class LifecycleHarness : IAsyncDisposable
{
    /// <summary>How long a test waits for something that must happen before it fails (an upper bound, not a measurement).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly HarnessHost _host;

    private LifecycleHarness(HarnessHost host, TestDatabase database)
    {
        _host = host;
        Database = database;
        Saga = Harness.GetSagaStateMachineHarness<ExperimentLifecycle, ExperimentState>();
    }

    public ServiceProvider Provider => _host.Provider;
    public TestDatabase Database { get; }
    public ITestHarness Harness => _host.Harness;
    public ISagaStateMachineTestHarness<ExperimentLifecycle, ExperimentState> Saga { get; }
    public ExperimentLifecycle Machine => Saga.StateMachine;

    public static async Task<LifecycleHarness> StartAsync(TestDatabase? database = null, TimeSpan? lateEventTail = null, int concurrentMessageLimit = 8,
        RaceWidener? raceWidener = null)
    {
        var owns = database is null;
        database ??= TestDatabase.Sqlite();
        var host = await new HarnessBuilder(testTimeout: Patience, inactivityTimeout: TimeSpan.FromMilliseconds(500))
            .Database(database, owned: owns)
            .Services(services =>
            {
                if (raceWidener is not null) services.AddSingleton(raceWidener.Wrap(database.Options));
            })
            .Bus(x =>
            {
                x.AddExperimentLifecycle(new ExperimentLifecycleOptions
                {
                    LateEventTail = lateEventTail ?? TimeSpan.FromDays(2),
                    ConcurrentMessageLimit = concurrentMessageLimit,
                    RetryLimit = 50,
                    TimerSweepInterval = TimeSpan.Zero, // tests sweep by hand
                });
                x.AddAutoOpsRules();
            })
            .StartAsync();
        return new LifecycleHarness(host, database);
    }

    /// <summary>Sends the command to the saga's queue as a request and returns the answer.</summary>
    public async Task<Answer> SendAsync<T>(T command) where T : class
    {
        var (accepted, rejected) = await _host.RequestAsync<T, ExperimentCommandAccepted, ExperimentCommandRejected>(
            ExperimentLifecycleOptions.DefaultEndpointName, command);
        return new Answer(accepted, rejected);
    }

    /// <summary>Sends an auto-ops rule command as a request and returns the answer.</summary>
    public Task<RuleAnswer> SendRuleCommandAsync<T>(T command) where T : class => _host.SendRuleCommandAsync(command);

    public Task<AutoOpsRuleRow?> RuleRowAsync(Guid ruleId) => _host.RuleRowAsync(ruleId);

    /// <summary>Creates the experiment and checks it was accepted.</summary>
    public async Task<CreateExperiment> CreateAsync(CreateExperiment command)
    {
        (await SendAsync(command)).ShouldBeAccepted();
        return command;
    }

    public Task<ExperimentRow?> RowAsync(Guid experimentId) =>
        _host.QueryAsync(db => db.Experiments.AsNoTracking().SingleOrDefaultAsync(e => e.Id == experimentId));

    /// <summary>Changes the row behind the saga's back (to stage a lost timer: time passed, the timer never came).</summary>
    public async Task EditRowAsync(Guid experimentId, Action<ExperimentRow> edit)
    {
        await using var db = Provider.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        var row = await db.Experiments.SingleAsync(e => e.Id == experimentId);
        edit(row);
        await db.SaveChangesAsync();
    }

    public Task<int> SweepTimersAsync() => Provider.GetRequiredService<ExperimentTimerSweeper>().RunOnceAsync(CancellationToken.None);

    public async Task<ExperimentRow> RequiredRowAsync(Guid experimentId) =>
        await RowAsync(experimentId) ?? throw new Xunit.Sdk.XunitException($"No experiment row {experimentId}.");

    /// <summary>Waits until the saga is in the state (or fails after <see cref="Patience"/>).</summary>
    public async Task ShouldReachAsync(Guid experimentId, Func<ExperimentLifecycle, State> state)
    {
        var found = await Saga.Exists(experimentId, state, Patience);
        if (found is null)
        {
            var row = await RowAsync(experimentId);
            throw new Xunit.Sdk.XunitException(
                $"Experiment {experimentId} did not reach {state(Machine).Name}; its row has status {row?.Status.ToString() ?? "(no row)"}.");
        }
    }

    public IReadOnlyList<T> PublishedFor<T>(Guid experimentId, Func<T, Guid> idOf) where T : class => _host.PublishedFor(experimentId, idOf);

    public IReadOnlyList<PersisterDemandChanged> DemandChangesFor(Guid experimentId) => PublishedFor<PersisterDemandChanged>(experimentId, m => m.ExperimentId);

    /// <summary>
    /// Waits until a matching message was published: the row is saved before the outbox sends, so a state seen in the
    /// database may be a moment ahead of its events.
    /// </summary>
    public Task<T> ShouldPublishAsync<T>(Guid experimentId, Func<T, Guid> idOf, Func<T, bool> matches) where T : class =>
        _host.ShouldPublishAsync(experimentId, idOf, matches, Patience);

    /// <summary>Waits until the saga has consumed a message of the type for the experiment (a timer, typically).</summary>
    public async Task ShouldConsumeAsync<T>(Guid experimentId, Func<T, Guid> idOf) where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!Saga.Consumed.Select<T>(m => idOf(m.Context.Message) == experimentId).Any())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"The saga did not consume {typeof(T).Name} for {experimentId}.");
            await Task.Delay(50);
        }
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
