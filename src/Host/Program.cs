using System.CommandLine;
using Persisters.Host.Cli;
using Persisters.Host.Configuration;
using Persisters.Host.Hosting;
using Persisters.Persistence;

// One executable, several verbs; with no verb it runs the service.
var root = new RootCommand("Persisters: stores feature-flag evaluation and goal events for experiments and auto-ops, on demand.");

var run = new Command("run", "Run the service (the default): persisters, health and metrics endpoints.");
run.SetAction((_, ct) => Guard(() => ServiceCommand.RunAsync(args, ct)));
root.SetAction((_, ct) => Guard(() => ServiceCommand.RunAsync(args, ct)));
root.Subcommands.Add(run);

var migrate = new Command("migrate", "Create or upgrade the database schema, then exit.");
migrate.SetAction((_, ct) => Guard(() => ServiceCommand.MigrateAsync(args, ct)));
root.Subcommands.Add(migrate);

var events = new Option<int>("--events") { Description = "Evaluation events to publish (goal events follow for ~30% of users).", DefaultValueFactory = _ => 10_000 };
var duplicates = new Option<double>("--duplicates") { Description = "Share of events sent twice (same id).", DefaultValueFactory = _ => 0.05 };
var malformed = new Option<double>("--malformed") { Description = "Share of malformed events (missing id, empty environment, far-future timestamp, ...).", DefaultValueFactory = _ => 0.01 };
var publishOnly = new Option<bool>("--publish-only") { Description = "Only publish; the persisters run in another process (a broker transport is needed)." };
var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the persisters.", DefaultValueFactory = _ => 300 };
var seed = new Option<int>("--seed") { Description = "Random seed of the synthetic traffic.", DefaultValueFactory = _ => 42 };
var perMessage = new Option<int>("--per-message") { Description = "Events per broker message (an envelope, as a gateway sends them); 1 = one message per event.", DefaultValueFactory = _ => 1 };
var environment = new Option<string>("--environment") { Description = "Environment id of the events.", DefaultValueFactory = _ => "load" };
var load = new Command("load", "Publish synthetic events for a seeded running experiment, wait, and compare expected with persisted rows.")
{
    events, duplicates, malformed, publishOnly, timeout, seed, environment, perMessage,
};
load.SetAction((p, ct) => Guard(() =>
{
    var settings = new LoadCommand.Settings(p.GetValue(events), p.GetValue(duplicates), p.GetValue(malformed), p.GetValue(publishOnly),
        TimeSpan.FromSeconds(p.GetValue(timeout)), p.GetValue(seed), p.GetValue(environment)!, p.GetValue(perMessage));
    if (settings.PerMessage is < 1 or > 10_000) throw new SettingsException("--per-message must be from 1 to 10000.");
    if (settings.Events <= 0) throw new SettingsException("--events must be positive.");
    if (settings.Duplicates is < 0 or >= 1 || settings.Malformed is < 0 or >= 1 || settings.Duplicates + settings.Malformed >= 1)
    {
        throw new SettingsException("--duplicates and --malformed are shares from 0 to below 1, and below 1 together.");
    }
    return LoadCommand.RunAsync([], settings, ct);
}));
root.Subcommands.Add(load);

var input = new Option<FileInfo>("--input") { Description = "JSON document of per-variation counts.", Required = true };
var output = new Option<FileInfo?>("--output") { Description = "Where to write the result JSON (default: standard output)." };
var chart = new Option<FileInfo?>("--chart") { Description = "Also render the posteriors as an SVG chart to this file." };
var calc = new Command("calc", "Compute exact Bayesian experiment results from a JSON file of counts; no database needed.") { input, output, chart };
calc.SetAction((p, ct) => Guard(() => CalcCommand.RunAsync(p.GetValue(input)!, p.GetValue(output), p.GetValue(chart), ct)));
root.Subcommands.Add(calc);

var experimentId = new Option<Guid>("--experiment") { Description = "Experiment id whose stored result to draw.", Required = true };
var goalOption = new Option<string?>("--goal") { Description = "Goal to draw (default: the first)." };
var chartOutput = new Option<FileInfo>("--output") { Description = "SVG file to write.", Required = true };
var chartVerb = new Command("chart", "Render a stored experiment result (experiment_result) as an SVG chart.") { experimentId, goalOption, chartOutput };
chartVerb.SetAction((p, ct) => Guard(() => ChartCommand.RunAsync(p.GetValue(experimentId), p.GetValue(goalOption), p.GetValue(chartOutput)!, ct)));
root.Subcommands.Add(chartVerb);

var demo = new Command("demo", "A one-minute tour: an A/B experiment, synthetic events through the persisters, the calculator, a results table and demo-chart.svg.");
demo.SetAction((_, ct) => Guard(() => DemoCommand.RunAsync(args[1..], ct)));
root.Subcommands.Add(demo);

// Operator verbs: commands over the configured broker to the running service, answers printed.
var commandTimeout = new Option<int>("--timeout") { Description = "Seconds to wait for the service's answer.", DefaultValueFactory = _ => 30 };
TimeSpan Timeout(ParseResult p) => TimeSpan.FromSeconds(Math.Max(1, p.GetValue(commandTimeout)));
// A verb whose only argument is the id of what it acts on.
Command IdCommand(string verb, string description, string what, Func<Guid, TimeSpan, CancellationToken, Task<int>> send)
{
    var id = new Option<Guid>("--id") { Description = $"The {what}'s id.", Required = true };
    var command = new Command(verb, description) { id, commandTimeout };
    command.SetAction((p, ct) => Guard(() => send(p.GetValue(id), Timeout(p), ct)));
    return command;
}
static string[] List(string? text) => (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

var experimentsVerb = new Command("experiments", "Create, start, stop, force-stop and list experiments (commands go to the running service over the broker).");
{
    var newId = new Option<Guid?>("--id") { Description = "Experiment id (default: a new one)." };
    var env = new Option<string>("--environment") { Description = "Environment id.", Required = true };
    var feature = new Option<string>("--feature") { Description = "Flag id.", Required = true };
    var featureVersion = new Option<int>("--feature-version") { Description = "Flag version the experiment is pinned to.", DefaultValueFactory = _ => 1 };
    var name = new Option<string?>("--name") { Description = "Display name (default: the flag id)." };
    var variations = new Option<string>("--variations") { Description = "Comma-separated variation ids.", Required = true };
    var baseline = new Option<string?>("--baseline") { Description = "Baseline variation (default: the first)." };
    var goals = new Option<string>("--goals") { Description = "Comma-separated goal ids.", Required = true };
    var startAt = new Option<string>("--start-at") { Description = "now, unix seconds or ISO 8601.", DefaultValueFactory = _ => "now" };
    var stopAt = new Option<string?>("--stop-at") { Description = "Unix seconds or ISO 8601 (default: --days after the start)." };
    var days = new Option<int>("--days") { Description = "Length when --stop-at is not given.", DefaultValueFactory = _ => 14 };
    var create = new Command("create", "Create an experiment; it starts at --start-at and stops at --stop-at on its own.")
    {
        newId, env, feature, featureVersion, name, variations, baseline, goals, startAt, stopAt, days, commandTimeout,
    };
    create.SetAction((p, ct) => Guard(() =>
    {
        var now = DateTimeOffset.UtcNow;
        var start = OperatorCommands.ParseTime("--start-at", p.GetValue(startAt)!, now);
        var stop = p.GetValue(stopAt) is { } s ? OperatorCommands.ParseTime("--stop-at", s, now) : Math.Max(start, now.ToUnixTimeSeconds()) + p.GetValue(days) * 86_400L;
        var variationIds = List(p.GetValue(variations));
        var command = new Persisters.Contracts.CreateExperiment
        {
            ExperimentId = p.GetValue(newId) ?? Guid.NewGuid(),
            EnvironmentId = p.GetValue(env)!,
            Name = p.GetValue(name) ?? p.GetValue(feature)!,
            FeatureId = p.GetValue(feature)!,
            FeatureVersion = p.GetValue(featureVersion),
            VariationIds = variationIds,
            BaselineVariationId = p.GetValue(baseline) ?? variationIds.FirstOrDefault() ?? "",
            GoalIds = List(p.GetValue(goals)),
            StartAt = start,
            StopAt = stop,
        };
        return OperatorCommands.SendExperimentCommandAsync(command, Timeout(p), ct);
    }));
    experimentsVerb.Subcommands.Add(create);

    experimentsVerb.Subcommands.Add(IdCommand("start", "Start a waiting experiment now.", "experiment",
        (id, t, ct) => OperatorCommands.SendExperimentCommandAsync(new Persisters.Contracts.StartExperiment { ExperimentId = id }, t, ct)));
    experimentsVerb.Subcommands.Add(IdCommand("stop", "Stop a running experiment now; late events are taken until its tail ends.", "experiment",
        (id, t, ct) => OperatorCommands.SendExperimentCommandAsync(new Persisters.Contracts.StopExperiment { ExperimentId = id }, t, ct)));
    experimentsVerb.Subcommands.Add(IdCommand("force-stop", "Stop an experiment at once, without a late-event tail.", "experiment",
        (id, t, ct) => OperatorCommands.SendExperimentCommandAsync(new Persisters.Contracts.ForceStopExperiment { ExperimentId = id }, t, ct)));
    experimentsVerb.Subcommands.Add(IdCommand("archive", "Archive a finished or force-stopped experiment.", "experiment",
        (id, t, ct) => OperatorCommands.SendExperimentCommandAsync(new Persisters.Contracts.ArchiveExperiment { ExperimentId = id }, t, ct)));

    var all = new Option<bool>("--all") { Description = "Include archived experiments." };
    var list = new Command("list", "List experiments (reads the database).") { all };
    list.SetAction((p, ct) => Guard(() => OperatorCommands.ListExperimentsAsync(p.GetValue(all), ct)));
    experimentsVerb.Subcommands.Add(list);
}
root.Subcommands.Add(experimentsVerb);

var autoopsVerb = new Command("autoops", "Create, stop, delete and list event-rate (kill-switch) rules (commands go to the running service over the broker).");
{
    var newId = new Option<Guid?>("--id") { Description = "Rule id (default: a new one)." };
    var env = new Option<string>("--environment") { Description = "Environment id.", Required = true };
    var feature = new Option<string>("--feature") { Description = "Flag id.", Required = true };
    var featureVersion = new Option<int>("--feature-version") { Description = "Flag version whose users are counted.", DefaultValueFactory = _ => 1 };
    var clauses = new Option<string[]>("--clause")
    {
        Description = "VARIATION:GOAL:MIN_COUNT:THRESHOLD[:ge|le], e.g. green:error:50:0.5:ge (repeat for more clauses).",
        Required = true,
        AllowMultipleArgumentsPerToken = false,
    };
    var create = new Command("create", "Create an event-rate rule: the OPS persisters count its users from now on.")
    {
        newId, env, feature, featureVersion, clauses, commandTimeout,
    };
    create.SetAction((p, ct) => Guard(() => OperatorCommands.SendRuleCommandAsync(new Persisters.Contracts.CreateEventRateRule
    {
        RuleId = p.GetValue(newId) ?? Guid.NewGuid(),
        EnvironmentId = p.GetValue(env)!,
        FeatureId = p.GetValue(feature)!,
        FeatureVersion = p.GetValue(featureVersion),
        Clauses = p.GetValue(clauses)!.Select(OperatorCommands.ParseClause).ToArray(),
    }, Timeout(p), ct)));
    autoopsVerb.Subcommands.Add(create);

    autoopsVerb.Subcommands.Add(IdCommand("stop", "Stop counting for a rule (its counts stay).", "rule",
        (id, t, ct) => OperatorCommands.SendRuleCommandAsync(new Persisters.Contracts.StopEventRateRule { RuleId = id }, t, ct)));
    autoopsVerb.Subcommands.Add(IdCommand("delete", "Delete a rule.", "rule",
        (id, t, ct) => OperatorCommands.SendRuleCommandAsync(new Persisters.Contracts.DeleteEventRateRule { RuleId = id }, t, ct)));

    var list = new Command("list", "List rules that are not deleted (reads the database).");
    list.SetAction((_, ct) => Guard(() => OperatorCommands.ListRulesAsync(ct)));
    autoopsVerb.Subcommands.Add(list);
}
root.Subcommands.Add(autoopsVerb);

root.Subcommands.Add(ServiceBusEntitiesCommand.Create(Guard));

return await root.Parse(args).InvokeAsync();

// A bad setting ends the process with its message and exit code 2, not a stack trace.
static async Task<int> Guard(Func<Task<int>> verb)
{
    try
    {
        return await verb();
    }
    catch (SettingsException ex)
    {
        Console.Error.WriteLine($"Configuration error: {ex.Message}");
        return 2;
    }
}
