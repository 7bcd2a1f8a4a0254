using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Consumers;
using Persisters.Consumers.Calculator;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;
using Persisters.Tests.Support;

namespace Persisters.Tests.Calculator;

/// <summary>
/// The calculator's consumers on the in-memory test harness (built by <see cref="HarnessBuilder"/>) over a fresh database
/// (SQLite file, or a MariaDB database when given), with a hand-moved clock. Events are written straight into the DWH tables.
/// </summary>
public sealed class CalculatorHarness : IAsyncDisposable
{
    private readonly HarnessHost _host;

    private CalculatorHarness(HarnessHost host, ManualClock clock)
    {
        _host = host;
        Clock = clock;
    }

    public ServiceProvider Provider => _host.Provider;
    public ITestHarness Harness => _host.Harness;
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
        var clock = new ManualClock(now ?? DefaultNow);
        var host = await new HarnessBuilder(testTimeout: TimeSpan.FromSeconds(60), inactivityTimeout: TimeSpan.FromSeconds(2))
            .Database(database)
            .Clock(clock)
            .Metrics()
            .Services(services =>
            {
                services.AddOptions<PersisterOptions>();
                // Off unless a test is about the recurring schedule (the harness has no scheduler by default).
                services.AddOptions<CalculatorOptions>().Configure(o =>
                {
                    o.Enabled = false;
                    calculator?.Invoke(o);
                });
            })
            .Bus(x =>
            {
                x.AddExperimentCalculator();
                bus?.Invoke(x);
            })
            .StartAsync();
        return new CalculatorHarness(host, clock);
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

    public Task<List<ExperimentResultRow>> ResultRowsAsync() => _host.QueryAsync(db => db.ExperimentResults.AsNoTracking().ToListAsync());

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
