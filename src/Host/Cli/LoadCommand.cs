using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Persisters.Consumers.Definitions;
using Persisters.Contracts;
using Persisters.Host.Hosting;
using Persisters.Persistence;
using Spectre.Console;

namespace Persisters.Host.Cli;

/// <summary>
/// The <c>load</c> verb: seeds a running experiment, publishes synthetic evaluation and then goal
/// events over the configured transport, waits for the persisters, and compares expected and
/// persisted rows. Exit code 0 only when they are equal.
/// </summary>
public static class LoadCommand
{
    public sealed record Settings(int Events, double Duplicates, double Malformed, bool PublishOnly, TimeSpan Timeout, int Seed, string EnvironmentId, int PerMessage = 1);

    public static async Task<int> RunAsync(string[] hostArgs, Settings settings, CancellationToken ct)
    {
        // Keep the progress display readable: per-batch skip warnings are expected here (the traffic is malformed on purpose).
        var builder = VerbHost.CreateBuilder(hostArgs, LogLevel.Error);
        var host = builder.AddPersistersSettings();
        builder.AddPersistersServices(host, withPersisters: !settings.PublishOnly);
        using var app = builder.Build();
        app.Services.ValidatePersisterOptions();
        await app.Services.MigrateIfConfiguredAsync(ct);
        return await VerbHost.RunAsync(app, host.Transport.Kind, settings.Timeout < VerbHost.StartTimeout ? settings.Timeout : VerbHost.StartTimeout, stopping => LoadAsync(app.Services, host, settings, stopping), ct,
            tooLarge: (size, limit) => settings.PerMessage > 1
                ? $"--per-message {settings.PerMessage} makes envelopes that large: use --per-message {Math.Max(1, (int)(settings.PerMessage * (long)limit * 9 / 10 / size))} or less."
                : "One event is that large: its user data cannot travel on this broker.");
    }

    private static async Task<int> LoadAsync(IServiceProvider services, PersistersSettings host, Settings settings, CancellationToken ct)
    {
        var (transport, database) = (host.Transport, host.Database);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var runId = Guid.NewGuid().ToString("N")[..8];
        var experiment = SyntheticTraffic.Experiment(settings.EnvironmentId, runId, now);
        await services.GetRequiredService<DefinitionStore>().UpsertExperimentAsync(experiment, now, ct);
        services.GetService<LiveDefinitions>()?.Invalidate(); // persisters in this process (not --publish-only) read it at once
        // Seeded straight into the database, so tell every host's demand controller (Persisters:OnDemand) at once.
        await services.GetRequiredService<IBus>().Publish(new PersisterDemandChanged
        {
            ExperimentId = experiment.ExperimentId, EnvironmentId = experiment.EnvironmentId, Status = ExperimentStatus.Running, IsLive = true, Timestamp = now,
        }, ct);
        var traffic = SyntheticTraffic.Create(experiment, settings.Events, settings.Duplicates, settings.Malformed, settings.Seed, now);

        AnsiConsole.MarkupLine($"Run [bold]{runId}[/]: experiment {experiment.ExperimentId} on flag {experiment.FeatureId}, transport {transport.Kind}, database {database.Provider}");
        var bus = services.GetRequiredService<IBus>();
        var factory = services.GetRequiredService<IPersistersDbContextFactory>();
        var clock = Stopwatch.StartNew();
        long evaluationRows = 0, goalRows = 0;
        TimeSpan evaluationsDone = default;

        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var publishEvaluations = progress.AddTask("publish evaluation events", maxValue: traffic.Evaluations.Count);
                var persistEvaluations = progress.AddTask("persist evaluation events", maxValue: Math.Max(1, traffic.ExpectedEvaluationRows));
                var publishGoals = progress.AddTask("publish goal events", maxValue: Math.Max(1, traffic.Goals.Count));
                var persistGoals = progress.AddTask("persist goal events", maxValue: Math.Max(1, traffic.ExpectedGoalRows));

                if (settings.PerMessage > 1) await PublishAsync(bus, Envelopes(traffic.Evaluations, settings.PerMessage, e => new EvaluationEventBatch { Events = e }), publishEvaluations, ct);
                else await PublishAsync(bus, traffic.Evaluations, publishEvaluations, ct);
                evaluationRows = await WaitForAsync(() => CountEvaluations(factory, experiment, ct), traffic.ExpectedEvaluationRows, persistEvaluations, settings.Timeout, ct);
                evaluationsDone = clock.Elapsed;
                if (settings.PerMessage > 1) await PublishAsync(bus, Envelopes(traffic.Goals, settings.PerMessage, g => new GoalEventBatch { Events = g }), publishGoals, ct);
                else await PublishAsync(bus, traffic.Goals, publishGoals, ct);
                goalRows = await WaitForAsync(() => CountGoals(factory, experiment, ct), traffic.ExpectedGoalRows, persistGoals, settings.Timeout, ct);
            });

        // Anything late (a duplicate that slipped through) would show up now.
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        evaluationRows = await CountEvaluations(factory, experiment, ct);
        goalRows = await CountGoals(factory, experiment, ct);
        var total = clock.Elapsed;

        var table = new Table().AddColumns("", "published", "duplicates + malformed", "expected rows", "persisted rows", "");
        table.AddRow("evaluation events", traffic.Evaluations.Count.ToString(), "", traffic.ExpectedEvaluationRows.ToString(), evaluationRows.ToString(),
            Verdict(traffic.ExpectedEvaluationRows, evaluationRows));
        table.AddRow("goal events", traffic.Goals.Count.ToString(), "", traffic.ExpectedGoalRows.ToString(), goalRows.ToString(),
            Verdict(traffic.ExpectedGoalRows, goalRows));
        table.AddRow("all", (traffic.Evaluations.Count + traffic.Goals.Count).ToString(), $"{traffic.Duplicates} + {traffic.Malformed}", "", "", "");
        AnsiConsole.Write(table);
        var published = traffic.Evaluations.Count + traffic.Goals.Count;
        AnsiConsole.MarkupLine($"{published} events in {total.TotalSeconds:F1} s ({published / total.TotalSeconds:F0} events/s end to end; evaluations alone {traffic.Evaluations.Count / evaluationsDone.TotalSeconds:F0}/s)");
        return evaluationRows == traffic.ExpectedEvaluationRows && goalRows == traffic.ExpectedGoalRows ? PersistersCommandLine.Done : PersistersCommandLine.Rejected;
    }

    private static string Verdict(long expected, long actual) => expected == actual ? "[green]exact[/]" : "[red]MISMATCH[/]";

    private static List<(TEnvelope Message, int Events)> Envelopes<TEvent, TEnvelope>(IReadOnlyList<TEvent> events, int perMessage, Func<TEvent[], TEnvelope> wrap) =>
        events.Chunk(perMessage).Select(c => (wrap(c), c.Length)).ToList();

    private static async Task PublishAsync<T>(IBus bus, List<(T Message, int Events)> envelopes, ProgressTask task, CancellationToken ct) where T : class
    {
        foreach (var chunk in envelopes.Chunk(50))
        {
            await bus.PublishBatch(chunk.Select(c => c.Message), ct);
            task.Increment(chunk.Sum(c => c.Events));
        }
        task.Value = task.MaxValue;
    }

    private static async Task PublishAsync<T>(IBus bus, IReadOnlyList<T> events, ProgressTask task, CancellationToken ct) where T : class
    {
        const int chunk = 500;
        using var inFlight = new SemaphoreSlim(4);
        var tasks = new List<Task>();
        for (var offset = 0; offset < events.Count; offset += chunk)
        {
            var slice = events.Skip(offset).Take(chunk).ToList();
            await inFlight.WaitAsync(ct);
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    await bus.PublishBatch(slice, ct);
                    task.Increment(slice.Count);
                }
                finally
                {
                    inFlight.Release();
                }
            }, ct));
        }
        await Task.WhenAll(tasks);
        task.Value = task.MaxValue;
    }

    private static async Task<long> WaitForAsync(Func<Task<long>> count, long expected, ProgressTask task, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        long current;
        while (true)
        {
            current = await count();
            task.Value = Math.Min(current, task.MaxValue);
            if (current >= expected || DateTime.UtcNow > deadline) break;
            await Task.Delay(200, ct);
        }
        task.StopTask();
        return current;
    }

    private static async Task<long> CountEvaluations(IPersistersDbContextFactory factory, ExperimentDefinition x, CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        return await db.EvaluationEvents.LongCountAsync(e => e.EnvironmentId == x.EnvironmentId && e.FeatureId == x.FeatureId, ct);
    }

    private static async Task<long> CountGoals(IPersistersDbContextFactory factory, ExperimentDefinition x, CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        return await db.GoalEvents.LongCountAsync(g => g.ExperimentId == x.ExperimentId, ct);
    }
}
