using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Persisters.Consumers;
using Persisters.Consumers.Calculator;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;
using Persisters.Tests.Support;

namespace Persisters.Tests.Calculator;

/// <summary>
/// The calculator's consumers on the in-memory test harness over a fresh database (SQLite file, or a MariaDB
/// database when given), with a hand-moved clock. Events are written straight into the DWH tables.
/// </summary>
public sealed class CalculatorHarness : IAsyncDisposable
{
    private readonly string? _directory;

    private CalculatorHarness(ServiceProvider provider, string? directory, ManualClock clock)
    {
        Provider = provider;
        _directory = directory;
        Clock = clock;
        Harness = provider.GetRequiredService<ITestHarness>();
    }

    public ServiceProvider Provider { get; }
    public ITestHarness Harness { get; }
    public ManualClock Clock { get; }

    /// <summary>A fixed, day-aligned "now" so that cut-offs are easy to reason about.</summary>
    public static readonly DateTimeOffset DefaultNow = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    /// <summary>
    /// A token for a positive <c>Any&lt;T&gt;(token)</c> wait: up to the harness's 60 s test timeout rather than its 2 s inactivity
    /// timeout. On a loaded machine a consumer's query can stay silent longer than 2 s, and an <c>Any</c> bounded by inactivity
    /// then answers false for a message that does arrive. Negative checks keep the inactivity bound.
    /// </summary>
    public static CancellationToken Patience() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public static async Task<CalculatorHarness> StartAsync(DatabaseOptions? database = null, DateTimeOffset? now = null,
        Action<CalculatorOptions>? calculator = null, Action<IBusRegistrationConfigurator>? bus = null)
    {
        string? directory = null;
        if (database is null)
        {
            directory = Path.Combine(Path.GetTempPath(), "persisters-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            database = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = $"Data Source={Path.Combine(directory, "test.db")}" };
        }
        var clock = new ManualClock(now ?? DefaultNow);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddMetrics();
        services.AddSingleton<TimeProvider>(clock);
        services.AddOptions<PersisterOptions>();
        // Off unless a test is about the recurring schedule (the harness has no scheduler by default).
        services.AddOptions<CalculatorOptions>().Configure(o =>
        {
            o.Enabled = false;
            calculator?.Invoke(o);
        });
        services.AddPersistersDatabase(database);
        services.AddMassTransitTestHarness(x =>
        {
            x.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(2));
            x.AddExperimentCalculator();
            bus?.Invoke(x);
        });
        var provider = services.BuildServiceProvider(true);
        await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        var harness = new CalculatorHarness(provider, directory, clock);
        await harness.Harness.Start();
        return harness;
    }

    public Task SeedAsync(ExperimentDefinition experiment) =>
        Provider.GetRequiredService<DefinitionStore>().UpsertExperimentAsync(experiment, Clock.UnixNow, CancellationToken.None);

    public async Task InsertAsync(IEnumerable<EvaluationEventRow> evaluations, IEnumerable<GoalEventRow>? goals = null)
    {
        await using var db = Provider.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        db.EvaluationEvents.AddRange(evaluations);
        if (goals is not null) db.GoalEvents.AddRange(goals);
        await db.SaveChangesAsync();
    }

    /// <summary>Sends the command to the calculator queue and waits until it was consumed.</summary>
    public async Task CalculateAsync(Guid experimentId)
    {
        var consumer = Harness.GetConsumerHarness<ExperimentResultsCalculator>();
        var before = consumer.Consumed.Select<CalculateExperimentResults>(m => m.Context.Message.ExperimentId == experimentId).Count();
        var endpoint = await Harness.Bus.GetSendEndpoint(CalculatorQueues.Address);
        await endpoint.Send(new CalculateExperimentResults { ExperimentId = experimentId });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (consumer.Consumed.Select<CalculateExperimentResults>(m => m.Context.Message.ExperimentId == experimentId).Count() <= before)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"CalculateExperimentResults {experimentId} was not consumed.");
            await Task.Delay(20);
        }
    }

    public async Task<List<ExperimentResultRow>> ResultRowsAsync()
    {
        await using var db = Provider.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        return await db.ExperimentResults.AsNoTracking().ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await Provider.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_directory is null) return;
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Rows for the DWH tables, with the defaults of <see cref="Events"/>.</summary>
public static class Rows
{
    public const long Day = 86_400;

    public static EvaluationEventRow Evaluation(long timestamp, string user, string variation, string feature = "flag-1", int version = 1,
        string environment = Events.Env) => new()
        {
            Id = Guid.NewGuid().ToString("N"),
            EnvironmentId = environment,
            Timestamp = timestamp,
            FeatureId = feature,
            FeatureVersion = version,
            UserId = user,
            VariationId = variation,
            Reason = "RULE",
            Tag = "web",
            SourceId = "JAVASCRIPT",
            SdkVersion = "2.1.0",
        };

    public static GoalEventRow Goal(ExperimentDefinition x, long timestamp, string user, string variation, double value, string? goal = null) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        ExperimentId = x.ExperimentId,
        EnvironmentId = x.EnvironmentId,
        Timestamp = timestamp,
        GoalId = goal ?? x.GoalIds[0],
        Value = value,
        UserId = user,
        Tag = "web",
        SourceId = "JAVASCRIPT",
        SdkVersion = "2.1.0",
        FeatureId = x.FeatureId,
        FeatureVersion = x.FeatureVersion,
        VariationId = variation,
        Reason = "RULE",
    };
}
