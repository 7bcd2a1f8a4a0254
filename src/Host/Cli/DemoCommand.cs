using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Persisters.Consumers.Calculator;
using Persisters.Contracts;
using Persisters.Host.Configuration;
using Persisters.Host.Hosting;
using Persisters.Persistence;
using Persisters.Statistics;
using Persisters.Statistics.Charts;
using Persisters.Statistics.Json;
using Spectre.Console;

namespace Persisters.Host.Cli;

/// <summary>
/// The <c>demo</c> verb, a one-minute tour on the embedded default (in-memory transport, SQLite in a temporary
/// directory unless <c>Database</c> is configured): an A/B experiment where B converts better (created through the experiment-lifecycle
/// saga, as a user creates one), synthetic evaluation
/// and goal events through the persisters, the calculator, a results table and <c>demo-chart.svg</c>.
/// </summary>
public static class DemoCommand
{
    private const int Users = 4000;
    private const double BaselineConversion = 0.10;
    private const double TreatmentConversion = 0.13;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>The verb: host settings only.</summary>
    public static Command Create()
    {
        var demo = HostArguments.AllowOn(new Command("demo", "A one-minute tour: an A/B experiment, synthetic events through the persisters, the calculator, a results table and demo-chart.svg."));
        demo.SetAction((p, ct) => PersistersCommandLine.Guard(() => RunAsync(HostArguments.Of(p), ct)));
        return demo;
    }

    public static async Task<int> RunAsync(string[] hostArgs, CancellationToken ct)
    {
        // No web server: these verbs only publish and wait, and must not compete for the service's port.
        // Keep the progress display readable: only errors reach the console.
        var builder = VerbHost.CreateBuilder(hostArgs, LogLevel.Error);
        string? scratch = null;
        if (string.IsNullOrWhiteSpace(builder.Configuration["Database:ConnectionString"])
            && EnumeratedSettings.Read<DatabaseProvider>(builder.Configuration, $"{DatabaseOptions.SectionName}:Provider", "a database") != DatabaseProvider.MySql)
        {
            scratch = Path.Combine(Path.GetTempPath(), "persisters-demo-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(scratch);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:ConnectionString"] = $"Data Source={Path.Combine(scratch, "demo.db")}",
            });
        }
        var settings = builder.AddPersistersSettings();
        var (transport, database) = (settings.Transport, settings.Database);
        builder.AddPersistersServices(settings, withPersisters: true);
        // Idempotent: the service registration may already have added the calculator.
        builder.Services.AddExperimentCalculatorServices();
        builder.Services.AddOptions<CalculatorOptions>().BindConfiguration(CalculatorOptions.SectionName);
        using var app = builder.Build();
        app.Services.ValidatePersisterOptions();
        await app.Services.MigrateIfConfiguredAsync(ct);
        try
        {
            return await VerbHost.RunAsync(app, transport.Kind, VerbHost.StartTimeout, async stopping =>
            {
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                var experiment = new ExperimentDefinition
                {
                    ExperimentId = Guid.NewGuid(),
                    EnvironmentId = "demo",
                    Name = "Checkout button colour",
                    FeatureId = "demo-checkout-button-" + Guid.NewGuid().ToString("N")[..6],
                    FeatureVersion = 1,
                    VariationIds = ["A", "B"],
                    BaselineVariationId = "A",
                    GoalIds = ["purchase"],
                    StartAt = now - (long)TimeSpan.FromDays(3).TotalSeconds + 3600,
                    StopAt = now + (long)TimeSpan.FromDays(7).TotalSeconds,
                    Status = ExperimentStatus.Running,
                };
                if (await VerbHost.CreateRunningExperimentAsync(app.Services, experiment, Timeout, stopping) is var refused and not PersistersCommandLine.Done) return refused;
                var (evaluations, goals) = Traffic(experiment, now);

                AnsiConsole.MarkupLine($"[bold]Experiment[/] {experiment.Name.EscapeMarkup()}: A (baseline, {BaselineConversion:P0} convert) vs B ({TreatmentConversion:P0}), " +
                                       $"{Users} users over 3 days; transport {transport.Kind}, database {database.Provider}");
                var bus = app.Services.GetRequiredService<IBus>();
                var factory = app.Services.GetRequiredService<IPersistersDbContextFactory>();
                var clock = Stopwatch.StartNew();
                ExperimentResultDocument? document = null;
                var ok = true;

                await VerbHost.Progress(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var publishEvaluations = progress.AddTask("publish evaluation events", maxValue: evaluations.Count);
                        var persistEvaluations = progress.AddTask("persist evaluation events", maxValue: evaluations.Count);
                        var publishGoals = progress.AddTask("publish goal events", maxValue: goals.Count);
                        var persistGoals = progress.AddTask("persist goal events", maxValue: goals.Count);
                        var calculate = progress.AddTask("calculate results", maxValue: 1);

                        await VerbHost.PublishAsync(bus, evaluations, publishEvaluations, stopping);
                        publishEvaluations.StopTask();
                        ok &= await VerbHost.WaitForRowsAsync(factory, (db, token) => db.EvaluationEvents.LongCountAsync(e => e.FeatureId == experiment.FeatureId, token),
                            evaluations.Count, persistEvaluations, Timeout, stopping) >= evaluations.Count;
                        await VerbHost.PublishAsync(bus, goals, publishGoals, stopping);
                        publishGoals.StopTask();
                        ok &= await VerbHost.WaitForRowsAsync(factory, (db, token) => db.GoalEvents.LongCountAsync(g => g.ExperimentId == experiment.ExperimentId, token),
                            goals.Count, persistGoals, Timeout, stopping) >= goals.Count;
                        document = await CalculateAsync(app.Services, bus, factory, experiment.ExperimentId, stopping);
                        calculate.Value = calculate.MaxValue;
                        calculate.StopTask();
                    });

                if (document is null || document.Goals.Count == 0)
                {
                    AnsiConsole.MarkupLine("[red]No results were written.[/]");
                    return 1;
                }

                var goal = document.Goals[0];
                AnsiConsole.Write(ResultsTable(goal));
                var srm = document.Srm;
                AnsiConsole.MarkupLine($"Sample ratio ({document.SrmExpectedSplit}): [bold]{srm.Status}[/] (p = {srm.PValue.ToString("G3", CultureInfo.InvariantCulture)})");
                foreach (var best in goal.Calculation.Summary.BestVariations)
                {
                    AnsiConsole.MarkupLine($"[green]{best.Id.EscapeMarkup()} beats the baseline with probability {best.Probability:P1}[/]");
                }
                if (goal.Calculation.Summary.BestVariations.Count == 0)
                {
                    AnsiConsole.MarkupLine("No variation beats the baseline with probability above 95% yet.");
                }

                var chart = Path.Combine(Environment.CurrentDirectory, "demo-chart.svg");
                await File.WriteAllTextAsync(chart, SvgChart.Render(CalcOutput.From(goal.Calculation, goal.GoalId, srm)), stopping);
                AnsiConsole.MarkupLine($"Chart written to [bold]{chart.EscapeMarkup()}[/]; {clock.Elapsed.TotalSeconds:F1} s in all.");
                if (!ok) AnsiConsole.MarkupLine("[yellow]Not every event was persisted before the timeout; the numbers cover those that were.[/]");
                return 0;
            }, ct);
        }
        finally
        {
            if (scratch is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                try
                {
                    Directory.Delete(scratch, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static Table ResultsTable(GoalResultDocument goal)
    {
        var table = new Table().Title($"Goal {goal.GoalId.EscapeMarkup()} (exp. loss: percentage points lost by choosing the variation)")
            .AddColumns("variation", "users", "conv.", "rate", "95% interval", "P(beat base)", "P(best)", "exp. loss");
        foreach (var v in goal.Calculation.Variations)
        {
            var cvr = v.Cvr;
            table.AddRow(
                v.Baseline ? $"{v.Id.EscapeMarkup()} (base)" : v.Id.EscapeMarkup(),
                v.EvaluationUsers.ToString(CultureInfo.InvariantCulture),
                v.GoalUsers.ToString(CultureInfo.InvariantCulture),
                $"{v.ConversionRate.ToString("F2", CultureInfo.InvariantCulture)}%",
                cvr is null ? "-" : $"{(cvr.P025 * 100).ToString("F2", CultureInfo.InvariantCulture)}–{(cvr.P975 * 100).ToString("F2", CultureInfo.InvariantCulture)}%",
                cvr is null || v.Baseline ? "-" : cvr.ProbBeatBaseline.ToString("P2", CultureInfo.InvariantCulture),
                cvr is null ? "-" : cvr.ProbBest.ToString("P2", CultureInfo.InvariantCulture),
                cvr is null ? "-" : $"{cvr.ExpectedLoss.ToString("F3", CultureInfo.InvariantCulture)} pp");
        }
        if (goal.Calculation.Status != CalculationStatus.Computed)
        {
            table.Caption($"Not computable: {goal.Calculation.Reason?.EscapeMarkup()}");
        }
        return table;
    }

    /// <summary>
    /// Through the bus when the calculator consumer is registered (the service's wiring), otherwise directly; then
    /// the stored document.
    /// </summary>
    private static async Task<ExperimentResultDocument?> CalculateAsync(IServiceProvider services, IBus bus, IPersistersDbContextFactory factory, Guid experimentId,
        CancellationToken ct)
    {
        if (services.GetRequiredService<IServiceProviderIsService>().IsService(typeof(ExperimentResultsCalculator)))
        {
            var endpoint = await bus.GetSendEndpoint(CalculatorQueues.Address);
            await endpoint.Send(new CalculateExperimentResults { ExperimentId = experimentId }, ct);
        }
        else
        {
            await services.GetRequiredService<ExperimentResultsService>().CalculateAsync(experimentId, ct);
        }

        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            await using var db = factory.CreateDbContext();
            var row = await db.ExperimentResults.AsNoTracking().FirstOrDefaultAsync(r => r.Id == experimentId, ct);
            if (row is not null) return CalculatorJsonContext.Parse(row.Data);
            await Task.Delay(200, ct);
        }
        return null;
    }

    /// <summary>Each user is evaluated once or twice over three days; converting users reach the goal within the hour after.</summary>
    private static (List<EvaluationEvent> Evaluations, List<GoalEvent> Goals) Traffic(ExperimentDefinition x, long now)
    {
        var random = new Random(7);
        var evaluations = new List<EvaluationEvent>();
        var goals = new List<GoalEvent>();
        var latest = now - 120;
        for (var i = 0; i < Users; i++)
        {
            var user = $"demo-user-{i:D5}";
            var variation = x.VariationIds[random.Next(x.VariationIds.Count)];
            var seen = random.NextInt64(x.StartAt + 1, latest - 3600);
            var visits = random.NextDouble() < 0.3 ? 2 : 1;
            for (var visit = 0; visit < visits; visit++)
            {
                evaluations.Add(new EvaluationEvent
                {
                    Id = $"{x.FeatureId}-e{i}-{visit}",
                    EnvironmentId = x.EnvironmentId,
                    Timestamp = Math.Min(latest, seen + visit * random.Next(60, 86_400)),
                    FeatureId = x.FeatureId,
                    FeatureVersion = x.FeatureVersion,
                    UserId = user,
                    User = new UserInfo { Id = user, Data = new Dictionary<string, string> { ["plan"] = (i % 3).ToString(CultureInfo.InvariantCulture) } },
                    VariationId = variation,
                    Reason = ReasonType.Rule,
                    Tag = "web",
                    SourceId = SourceId.Javascript,
                    SdkVersion = "1.0.0",
                });
            }
            var converts = random.NextDouble() < (variation == "A" ? BaselineConversion : TreatmentConversion);
            if (!converts) continue;
            goals.Add(new GoalEvent
            {
                Id = $"{x.FeatureId}-g{i}",
                EnvironmentId = x.EnvironmentId,
                Timestamp = Math.Min(latest, seen + random.Next(1, 3600)),
                GoalId = x.GoalIds[0],
                UserId = user,
                Value = Math.Round(20 + random.NextDouble() * 80, 2),
                Tag = "web",
                SourceId = SourceId.Javascript,
                SdkVersion = "1.0.0",
            });
        }
        return (evaluations, goals);
    }
}
