using System.CommandLine;
using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Persisters.Contracts;
using Persisters.Host.Hosting;
using Persisters.Persistence;
using Spectre.Console;

namespace Persisters.Host.Cli;

/// <summary>
/// The <c>load</c> verb: creates a running experiment through the experiment-lifecycle saga (as a user does), publishes synthetic
/// evaluation and then goal events over the configured transport, waits for the persisters, and compares expected and persisted
/// rows. Exit code 0 only when they are equal; 1 when they differ or the saga rejected the experiment; 3 when no saga answered.
/// </summary>
public static class LoadCommand
{
    public sealed record Settings(int Events, double Duplicates, double Malformed, bool PublishOnly, TimeSpan Timeout, int Seed, string EnvironmentId, int PerMessage = 1);

    /// <summary>The verb, its options and their checks.</summary>
    public static Command Create()
    {
        var events = new Option<int>("--events") { Description = "Evaluation events to publish (goal events follow for ~30% of users).", DefaultValueFactory = _ => 10_000 }.Between(1, 10_000_000);
        var duplicates = new Option<double>("--duplicates") { Description = "Share of events sent twice (same id).", DefaultValueFactory = _ => 0.05 };
        var malformed = new Option<double>("--malformed") { Description = "Share of malformed events (missing id, empty environment, far-future timestamp, ...).", DefaultValueFactory = _ => 0.01 };
        var publishOnly = new Option<bool>("--publish-only") { Description = "Only publish; the persisters run in another process (a broker transport is needed)." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the persisters.", DefaultValueFactory = _ => 300 }.Between(1, 86_400);
        var seed = new Option<int>("--seed") { Description = "Random seed of the synthetic traffic.", DefaultValueFactory = _ => 42 };
        var perMessage = new Option<int>("--per-message") { Description = "Events per broker message (an envelope, as a gateway sends them); 1 = one message per event.", DefaultValueFactory = _ => 1 }.Between(1, 10_000);
        var environment = new Option<string>("--environment") { Description = "Environment id of the events.", DefaultValueFactory = _ => "load" }.Id(PersistersDbContext.EnvironmentIdLength);
        var load = HostArguments.AllowOn(new Command("load", "Create a running experiment (through the experiment lifecycle), publish synthetic events for it, wait, and compare expected with persisted rows.")
        {
            events, duplicates, malformed, publishOnly, timeout, seed, environment, perMessage,
        });
        load.Validators.Add(r =>
        {
            var (d, m) = (r.GetValue(duplicates), r.GetValue(malformed));
            if (d is < 0 or >= 1 || m is < 0 or >= 1 || d + m >= 1 || !double.IsFinite(d) || !double.IsFinite(m))
            {
                r.AddError($"--duplicates ({d}) and --malformed ({m}) are shares from 0 to below 1, and below 1 together.");
            }
        });
        load.SetAction((p, ct) => PersistersCommandLine.Guard(() => RunAsync(HostArguments.Of(p),
            new Settings(p.GetValue(events), p.GetValue(duplicates), p.GetValue(malformed), p.GetValue(publishOnly),
                TimeSpan.FromSeconds(p.GetValue(timeout)), p.GetValue(seed), p.GetValue(environment)!, p.GetValue(perMessage)), ct)));
        return load;
    }

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
        // In this process the saga answers at once, and the events follow the answer. With --publish-only the service may not be
        // running yet: the command goes first, the events follow at once (they wait in their queues until the service's demand
        // controller connects the persisters for the new experiment), and the answer is awaited before the rows are counted.
        var created = VerbHost.CreateRunningExperimentAsync(services, experiment, settings.Timeout, ct);
        if (!settings.PublishOnly && await created is var refused and not PersistersCommandLine.Done) return refused;
        var traffic = SyntheticTraffic.Create(experiment, settings.Events, settings.Duplicates, settings.Malformed, settings.Seed, now);

        AnsiConsole.MarkupLine($"Run [bold]{runId}[/]: experiment {experiment.ExperimentId} on flag {experiment.FeatureId}, transport {transport.Kind}, database {database.Provider}");
        var bus = services.GetRequiredService<IBus>();
        var factory = services.GetRequiredService<IPersistersDbContextFactory>();
        var clock = Stopwatch.StartNew();
        long evaluationRows = 0, goalRows = 0;
        TimeSpan evaluationsDone = default;
        Task<long> Evaluations(PersistersDbContext db, CancellationToken token) =>
            db.EvaluationEvents.LongCountAsync(e => e.EnvironmentId == experiment.EnvironmentId && e.FeatureId == experiment.FeatureId, token);
        Task<long> Goals(PersistersDbContext db, CancellationToken token) => db.GoalEvents.LongCountAsync(g => g.ExperimentId == experiment.ExperimentId, token);

        var answer = PersistersCommandLine.Done;
        await VerbHost.Progress(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var publishEvaluations = progress.AddTask("publish evaluation events", maxValue: traffic.Evaluations.Count);
                var persistEvaluations = progress.AddTask("persist evaluation events", maxValue: Math.Max(1, traffic.ExpectedEvaluationRows));
                var publishGoals = progress.AddTask("publish goal events", maxValue: Math.Max(1, traffic.Goals.Count));
                var persistGoals = progress.AddTask("persist goal events", maxValue: Math.Max(1, traffic.ExpectedGoalRows));

                if (settings.PerMessage > 1) await PublishAsync(bus, Envelopes(traffic.Evaluations, settings.PerMessage, e => new EvaluationEventBatch { Events = e }), publishEvaluations, ct);
                else await VerbHost.PublishAsync(bus, traffic.Evaluations, publishEvaluations, ct);
                if ((answer = await created) != PersistersCommandLine.Done) return;
                evaluationRows = await VerbHost.WaitForRowsAsync(factory, Evaluations, traffic.ExpectedEvaluationRows, persistEvaluations, settings.Timeout, ct);
                evaluationsDone = clock.Elapsed;
                if (settings.PerMessage > 1) await PublishAsync(bus, Envelopes(traffic.Goals, settings.PerMessage, g => new GoalEventBatch { Events = g }), publishGoals, ct);
                else await VerbHost.PublishAsync(bus, traffic.Goals, publishGoals, ct);
                goalRows = await VerbHost.WaitForRowsAsync(factory, Goals, traffic.ExpectedGoalRows, persistGoals, settings.Timeout, ct);
            });
        if (answer != PersistersCommandLine.Done) return answer;

        // Anything late (a duplicate that slipped through) would show up now.
        await Task.Delay(TimeSpan.FromSeconds(1), ct);
        evaluationRows = await VerbHost.CountRowsAsync(factory, Evaluations, ct);
        goalRows = await VerbHost.CountRowsAsync(factory, Goals, ct);
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
}
