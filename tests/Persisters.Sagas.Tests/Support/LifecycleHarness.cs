using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Persisters.Consumers.AutoOps;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;

namespace Persisters.Sagas.Tests.Support;

/// <summary>
/// The experiment lifecycle on the MassTransit in-memory test harness, with the real EF Core repository over a
/// migrated database (a temp SQLite file unless given). Each test builds its own; two harnesses over one database
/// in turn are a restart.
/// </summary>
public sealed class LifecycleHarness : IAsyncDisposable
{
    /// <summary>How long a test waits for something that must happen before it fails (an upper bound, not a measurement).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TestDatabase? _ownedDatabase;

    private LifecycleHarness(ServiceProvider provider, TestDatabase database, bool ownsDatabase)
    {
        Provider = provider;
        Database = database;
        _ownedDatabase = ownsDatabase ? database : null;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<ExperimentLifecycle, ExperimentState>();
    }

    public ServiceProvider Provider { get; }
    public TestDatabase Database { get; }
    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<ExperimentLifecycle, ExperimentState> Saga { get; }
    public ExperimentLifecycle Machine => Saga.StateMachine;

    public static async Task<LifecycleHarness> StartAsync(TestDatabase? database = null, TimeSpan? lateEventTail = null, int concurrentMessageLimit = 8,
        RaceWidener? raceWidener = null)
    {
        var owns = database is null;
        database ??= TestDatabase.Sqlite();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddPersistersDatabase(database.Options);
        if (raceWidener is not null) services.AddSingleton(raceWidener.Wrap(database.Options));
        services.AddMassTransitTestHarness(x =>
        {
            x.SetTestTimeouts(testTimeout: Patience, testInactivityTimeout: TimeSpan.FromMilliseconds(500));
            x.AddExperimentLifecycle(new ExperimentLifecycleOptions
            {
                LateEventTail = lateEventTail ?? TimeSpan.FromDays(2),
                ConcurrentMessageLimit = concurrentMessageLimit,
                RetryLimit = 50,
                TimerSweepInterval = TimeSpan.Zero, // tests sweep by hand
            });
            x.AddAutoOpsRules();
        });
        var provider = services.BuildServiceProvider(true);
        await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        var harness = new LifecycleHarness(provider, database, owns);
        await harness.Harness.Start();
        return harness;
    }

    /// <summary>Sends the command to the saga's queue as a request and returns the answer.</summary>
    public async Task<Answer> SendAsync<T>(T command) where T : class
    {
        var client = Harness.Bus.CreateRequestClient<T>(new Uri($"queue:{ExperimentLifecycleOptions.DefaultEndpointName}"), RequestTimeout.After(s: 30));
        var response = await client.GetResponse<ExperimentCommandAccepted, ExperimentCommandRejected>(command);
        return response.Is(out Response<ExperimentCommandAccepted>? accepted)
            ? new Answer(accepted!.Message, null)
            : response.Is(out Response<ExperimentCommandRejected>? rejected)
                ? new Answer(null, rejected!.Message)
                : throw new InvalidOperationException("Unexpected response type.");
    }

    /// <summary>Sends an auto-ops rule command as a request and returns the answer.</summary>
    public async Task<RuleAnswer> SendRuleCommandAsync<T>(T command) where T : class
    {
        var client = Harness.Bus.CreateRequestClient<T>(new Uri($"queue:{AutoOpsRegistration.EndpointName}"), RequestTimeout.After(s: 30));
        var response = await client.GetResponse<AutoOpsCommandAccepted, AutoOpsCommandRejected>(command);
        return response.Is(out Response<AutoOpsCommandAccepted>? accepted)
            ? new RuleAnswer(accepted!.Message, null)
            : response.Is(out Response<AutoOpsCommandRejected>? rejected)
                ? new RuleAnswer(null, rejected!.Message)
                : throw new InvalidOperationException("Unexpected response type.");
    }

    public async Task<AutoOpsRuleRow?> RuleRowAsync(Guid ruleId)
    {
        await using var db = Provider.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        return await db.AutoOpsRules.AsNoTracking().SingleOrDefaultAsync(r => r.Id == ruleId);
    }

    /// <summary>Creates the experiment and checks it was accepted.</summary>
    public async Task<CreateExperiment> CreateAsync(CreateExperiment command)
    {
        (await SendAsync(command)).ShouldBeAccepted();
        return command;
    }

    public async Task<ExperimentRow?> RowAsync(Guid experimentId)
    {
        await using var db = Provider.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        return await db.Experiments.AsNoTracking().SingleOrDefaultAsync(e => e.Id == experimentId);
    }

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

    public IReadOnlyList<T> PublishedFor<T>(Guid experimentId, Func<T, Guid> idOf) where T : class =>
        Harness.Published.Select<T>(m => idOf(m.Context.Message) == experimentId).Select(m => m.Context.Message).ToList();

    public IReadOnlyList<PersisterDemandChanged> DemandChangesFor(Guid experimentId) => PublishedFor<PersisterDemandChanged>(experimentId, m => m.ExperimentId);

    /// <summary>
    /// Waits until a matching message was published: the row is saved before the outbox sends, so a state seen in the
    /// database may be a moment ahead of its events.
    /// </summary>
    public async Task<T> ShouldPublishAsync<T>(Guid experimentId, Func<T, Guid> idOf, Func<T, bool> matches) where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var found = PublishedFor(experimentId, idOf).FirstOrDefault(matches);
            if (found is not null) return found;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"No matching {typeof(T).Name} was published for {experimentId}.");
            await Task.Delay(50);
        }
    }

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

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await Provider.DisposeAsync();
        if (_ownedDatabase is not null) await _ownedDatabase.DisposeAsync();
    }
}

/// <summary>What the saga answered to one command.</summary>
public sealed record Answer(ExperimentCommandAccepted? Accepted, ExperimentCommandRejected? Rejected)
{
    public ExperimentCommandAccepted ShouldBeAccepted(string? detail = null)
    {
        if (Accepted is null) throw new Xunit.Sdk.XunitException($"Expected acceptance, got rejection: {Rejected!.Reason}");
        if (detail is not null) Assert.Equal(detail, Accepted.Detail);
        return Accepted;
    }

    public ExperimentCommandRejected ShouldBeRejected(string? reasonContains = null)
    {
        if (Rejected is null) throw new Xunit.Sdk.XunitException($"Expected rejection, got acceptance: {Accepted!.Detail}");
        if (reasonContains is not null) Assert.Contains(reasonContains, Rejected.Reason);
        return Rejected;
    }
}

/// <summary>What the auto-ops rule consumer answered to one command.</summary>
public sealed record RuleAnswer(AutoOpsCommandAccepted? Accepted, AutoOpsCommandRejected? Rejected)
{
    public AutoOpsCommandAccepted ShouldBeAccepted(string? detail = null)
    {
        if (Accepted is null) throw new Xunit.Sdk.XunitException($"Expected acceptance, got rejection: {Rejected!.Reason}");
        if (detail is not null) Assert.Equal(detail, Accepted.Detail);
        return Accepted;
    }

    public AutoOpsCommandRejected ShouldBeRejected(string? reasonContains = null)
    {
        if (Rejected is null) throw new Xunit.Sdk.XunitException($"Expected rejection, got acceptance: {Accepted!.Detail}");
        if (reasonContains is not null) Assert.Contains(reasonContains, Rejected.Reason);
        return Rejected;
    }
}
