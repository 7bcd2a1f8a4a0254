using System.CommandLine;
using System.Text.Json;
using Persisters.Contracts;

namespace Persisters.Host.Cli;

/// <summary>
/// <c>persisters experiments create|start|stop|force-stop|period|archive|list</c>: the experiment lifecycle through a running
/// service's operator API (<c>/v1/experiments…</c>, an admin key), so on every transport, the embedded default included. The
/// service sends the command to the experiment-lifecycle saga and answers with the saga's answer; the verb prints
/// <c>accepted: experiment ID DETAIL (status STATUS)</c> or <c>rejected: experiment ID: REASON</c> on standard output and
/// nothing else there. Exit codes as <see cref="OperatorApiClient"/> maps them (0 accepted, 1 rejected, 2 a bad option or key,
/// 3 no answer, 4 the service cannot be reached, 5 it failed).
/// </summary>
public static class ExperimentsCommand
{
    private const string Path = "v1/experiments";

    public static Command Create()
    {
        var verb = new Command("experiments", "Create, start, stop, force-stop, re-time, archive and list experiments (through the running service's HTTP API).");
        verb.Subcommands.Add(CreateExperiment());
        verb.Subcommands.Add(Lifecycle("start", "Start a waiting experiment now."));
        verb.Subcommands.Add(Lifecycle("stop", "Stop a running experiment now; late events are taken until its tail ends."));
        verb.Subcommands.Add(Lifecycle("force-stop", "Stop an experiment at once, without a late-event tail."));
        verb.Subcommands.Add(ChangePeriod());
        verb.Subcommands.Add(Lifecycle("archive", "Archive a finished or force-stopped experiment."));
        verb.Subcommands.Add(List());
        return verb;
    }

    private static Command CreateExperiment()
    {
        var newId = new Option<Guid?>("--id") { Description = "Experiment id (default: a new one)." };
        var env = new Option<string>("--environment") { Description = "Environment id.", Required = true };
        var feature = new Option<string>("--feature") { Description = "Flag id.", Required = true };
        var featureVersion = new Option<int>("--feature-version") { Description = "Flag version the experiment is pinned to.", DefaultValueFactory = _ => 1 }.Between(0, int.MaxValue);
        var name = new Option<string?>("--name") { Description = "Display name (default: the flag id)." };
        var variations = new Option<string>("--variations") { Description = "Comma-separated variation ids.", Required = true };
        var baseline = new Option<string?>("--baseline") { Description = "Baseline variation (default: the first)." };
        var goals = new Option<string>("--goals") { Description = "Comma-separated goal ids.", Required = true };
        var startAt = new Option<long?>("--start-at")
        {
            Description = "now (the default), unix seconds or ISO 8601 (2026-12-01T09:00:00Z).",
            CustomParser = r => OperatorCommands.Time(r, "--start-at"),
        };
        var stopAt = new Option<long?>("--stop-at")
        {
            Description = "Unix seconds or ISO 8601 (default: --days after the start, or after now when the start is past).",
            CustomParser = r => OperatorCommands.Time(r, "--stop-at"),
        };
        var days = new Option<int>("--days") { Description = "Length in days, counted from the start (from now when the start is past); not with --stop-at.", DefaultValueFactory = _ => 14 }.Between(1, 36_500);
        var create = new Command("create", "Create an experiment; it starts at --start-at and stops at --stop-at on its own.")
        {
            newId, env, feature, featureVersion, name, variations, baseline, goals, startAt, stopAt, days,
        };
        var connection = OperatorCommands.AddConnectionOptions(create);
        // The stop computed from --days must be a time too (--days 36500 from year 9990 is not).
        create.Validators.Add(r =>
        {
            if (r.GetResult(days) is { Implicit: false } && r.GetResult(stopAt) is { Implicit: false })
            {
                r.AddError("--days and --stop-at both set the stop: give one of them.");
                return;
            }
            if (!r.TryGetValue(stopAt, out var stopText) || stopText is not null || !r.TryGetValue(startAt, out var start) || !r.TryGetValue(days, out var length)) return;
            if (Period(start, null, length, DateTimeOffset.UtcNow).StopAt > OperatorCommands.MaxUnixSeconds)
            {
                r.AddError($"--days {length} after the start ends after 9999-12-31, the last time that can be scheduled: give a shorter --days or a --stop-at.");
            }
        });
        create.SetAction((p, ct) => PersistersCommandLine.Guard(() =>
        {
            var (start, stop) = Period(p.GetValue(startAt), p.GetValue(stopAt), p.GetValue(days), DateTimeOffset.UtcNow);
            var variationIds = OperatorCommands.List(p.GetValue(variations));
            var command = new CreateExperiment
            {
                ExperimentId = p.GetValue(newId) ?? Guid.NewGuid(),
                EnvironmentId = p.GetValue(env)!,
                Name = p.GetValue(name) ?? p.GetValue(feature)!,
                FeatureId = p.GetValue(feature)!,
                FeatureVersion = p.GetValue(featureVersion),
                VariationIds = variationIds,
                BaselineVariationId = p.GetValue(baseline) ?? variationIds.FirstOrDefault() ?? "",
                GoalIds = OperatorCommands.List(p.GetValue(goals)),
                StartAt = start,
                StopAt = stop,
            };
            return Client(p, connection).SendAsync(HttpMethod.Post, Path, command, $"experiment {command.ExperimentId}", Accepted, ct);
        }));
        return create;
    }

    /// <summary><c>POST /v1/experiments/{id}/{verb}</c>, no body.</summary>
    private static Command Lifecycle(string verb, string description) =>
        OperatorCommands.IdCommand(verb, description, "experiment",
            (id, client, ct) => client.SendAsync(HttpMethod.Post, $"{Path}/{id}/{verb}", null, $"experiment {id}", Accepted, ct));

    private static Command ChangePeriod()
    {
        var id = new Option<Guid>("--id") { Description = "The experiment's id.", Required = true };
        var startAt = new Option<long?>("--start-at")
        {
            Description = "New start: now, unix seconds or ISO 8601 (not in the future for a running experiment).",
            Required = true,
            CustomParser = r => OperatorCommands.Time(r, "--start-at"),
        };
        var stopAt = new Option<long?>("--stop-at")
        {
            Description = "New stop: unix seconds or ISO 8601, after the start and in the future.",
            Required = true,
            CustomParser = r => OperatorCommands.Time(r, "--stop-at"),
        };
        var period = new Command("period", "Change the start and stop of a waiting or running experiment.") { id, startAt, stopAt };
        var connection = OperatorCommands.AddConnectionOptions(period);
        period.SetAction((p, ct) => PersistersCommandLine.Guard(() =>
        {
            var experimentId = p.GetValue(id);
            var body = new { startAt = p.GetValue(startAt)!.Value, stopAt = p.GetValue(stopAt)!.Value };
            return Client(p, connection).SendAsync(HttpMethod.Post, $"{Path}/{experimentId}/period", body, $"experiment {experimentId}", Accepted, ct);
        }));
        return period;
    }

    private static Command List()
    {
        var all = new Option<bool>("--all") { Description = "Include archived experiments." };
        var list = new Command("list", "List experiments, newest first (GET /v1/experiments).") { all };
        var connection = OperatorCommands.AddConnectionOptions(list);
        list.SetAction((p, ct) => PersistersCommandLine.Guard(() =>
            Client(p, connection).ListAsync<ExperimentView>(p.GetValue(all) ? Path + "?all=true" : Path, "experiments", (rows, output) => PrintAsync(rows, p.GetValue(all), output), ct)));
        return list;
    }

    /// <summary>
    /// Two lines per experiment, each within 100 columns: the id (what the other verbs take), status and period; then, indented,
    /// environment, flag and version, and name. <c>*</c> marks an archived experiment (listed only with <c>--all</c>).
    /// </summary>
    internal static async Task PrintAsync(IReadOnlyList<ExperimentView> rows, bool all, TextWriter output)
    {
        var shown = rows.Where(e => all || !e.Archived).ToList();
        await output.WriteLineAsync($"{"id",-36}  {"status",-13}  {"start (UTC)",-16}  {"stop (UTC)"}");
        await output.WriteLineAsync("  environment / flag:version / name");
        foreach (var e in shown)
        {
            var status = (e.Status ?? "?") + (e.Archived ? "*" : "");
            await output.WriteLineAsync($"{e.ExperimentId,-36}  {status,-13}  {OperatorCommands.Minute(e.StartAt),-16}  {OperatorCommands.Minute(e.StopAt),-16}");
            await output.WriteLineAsync(OperatorCommands.Fit($"  {e.EnvironmentId} / {e.FeatureId}:{e.FeatureVersion} / {e.Name}", 100));
        }
        await output.WriteLineAsync($"{shown.Count} experiment(s)" + (all ? " (* archived)" : ""));
    }

    /// <summary>The fields of the API's <c>Experiment</c> the list shows (times in unix seconds, status as the ExperimentStatus name).</summary>
    internal sealed record ExperimentView(Guid ExperimentId, string? Name, string? EnvironmentId, string? FeatureId, int FeatureVersion, long StartAt, long StopAt,
        string? Status, bool Archived);

    private static string Accepted(JsonElement a) =>
        $"experiment {Text(a, "experimentId")} {Text(a, "detail")} (status {Text(a, "status")})";

    internal static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.ToString() : "";

    private static OperatorApiClient Client(ParseResult p, Func<ParseResult, OperatorConnection> connection) =>
        new(connection(p), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error);

    /// <summary>Start and stop in unix seconds: the start defaults to now, the stop to <paramref name="days"/> after the later of start and now.</summary>
    private static (long StartAt, long StopAt) Period(long? startAt, long? stopAt, int days, DateTimeOffset now)
    {
        var start = startAt ?? now.ToUnixTimeSeconds();
        return (start, stopAt ?? Math.Max(start, now.ToUnixTimeSeconds()) + days * 86_400L);
    }
}
