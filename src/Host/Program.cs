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
