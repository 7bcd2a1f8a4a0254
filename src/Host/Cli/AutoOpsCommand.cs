using System.CommandLine;
using System.Text.Json;
using Persisters.Contracts;
using Persisters.Host.Configuration;

namespace Persisters.Host.Cli;

/// <summary>
/// <c>persisters autoops create|stop|delete|list</c>: auto-ops rules (event-rate clauses whose action is the kill switch) through a
/// running service's operator API (<c>/v1/auto-ops-rules…</c>, an admin key), so on every transport, the embedded default included.
/// The service sends the command to the auto-ops rule consumer and answers with its answer; the verb prints
/// <c>accepted: rule ID DETAIL (status STATUS[, deleted])</c> or <c>rejected: rule ID: REASON</c> on standard output and nothing
/// else there. Exit codes as <see cref="OperatorApiClient"/> maps them.
/// </summary>
public static class AutoOpsCommand
{
    private const string Path = "v1/auto-ops-rules";

    public static Command Create()
    {
        var verb = new Command("autoops", "Create, stop, delete and list auto-ops rules (event-rate clauses, kill switch) through the running service's HTTP API.");
        verb.Subcommands.Add(CreateRule());
        verb.Subcommands.Add(OperatorCommands.IdCommand("stop", "Stop counting for a rule (its ops counts stay).", "rule",
            (id, client, ct) => client.SendAsync(HttpMethod.Post, $"{Path}/{id}/stop", null, $"rule {id}", Accepted, ct)));
        verb.Subcommands.Add(OperatorCommands.IdCommand("delete", "Delete a rule.", "rule",
            (id, client, ct) => client.SendAsync(HttpMethod.Delete, $"{Path}/{id}", null, $"rule {id}", Accepted, ct)));
        verb.Subcommands.Add(List());
        return verb;
    }

    private static Command CreateRule()
    {
        var newId = new Option<Guid?>("--id") { Description = "Rule id (default: a new one)." };
        var env = new Option<string>("--environment") { Description = "Environment id.", Required = true };
        var feature = new Option<string>("--feature") { Description = "Flag id.", Required = true };
        var featureVersion = new Option<int>("--feature-version") { Description = "Flag version whose users are counted.", DefaultValueFactory = _ => 1 }.Between(0, int.MaxValue);
        var clauses = new Option<EventRateClause[]>("--clause")
        {
            Description = "An event-rate clause VARIATION:GOAL:MIN_COUNT:THRESHOLD[:ge|le], e.g. green:error:50:0.5:ge (repeat for more clauses).",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
            CustomParser = r =>
            {
                try
                {
                    return r.Tokens.Select(t => OperatorCommands.ParseClause(t.Value)).ToArray();
                }
                catch (SettingsException ex)
                {
                    r.AddError(ex.Message);
                    return null;
                }
            },
        };
        var create = new Command("create", "Create an auto-ops rule: the OPS persisters count its users from now on.") { newId, env, feature, featureVersion, clauses };
        var connection = OperatorCommands.AddConnectionOptions(create);
        create.SetAction((p, ct) => PersistersCommandLine.Guard(() =>
        {
            var command = new CreateAutoOpsRule
            {
                RuleId = p.GetValue(newId) ?? Guid.NewGuid(),
                EnvironmentId = p.GetValue(env)!,
                FeatureId = p.GetValue(feature)!,
                FeatureVersion = p.GetValue(featureVersion),
                Clauses = p.GetValue(clauses)!,
            };
            return new OperatorApiClient(connection(p), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error)
                .SendAsync(HttpMethod.Post, Path, command, $"rule {command.RuleId}", Accepted, ct);
        }));
        return create;
    }

    private static Command List()
    {
        var list = new Command("list", "List the rules that are not deleted, newest first (GET /v1/auto-ops-rules).");
        var connection = OperatorCommands.AddConnectionOptions(list);
        list.SetAction((p, ct) => PersistersCommandLine.Guard(() =>
            new OperatorApiClient(connection(p), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error)
                .ListAsync<RuleView>(Path, "rules", PrintAsync, ct)));
        return list;
    }

    /// <summary>
    /// Per rule, within 100 columns: id, status, environment and flag:version; then one indented line per clause in the form
    /// <c>--clause</c> takes; then, for a triggered rule, the API's <c>trigger</c> line (when, which clause, counts, delivery).
    /// </summary>
    internal static async Task PrintAsync(IReadOnlyList<RuleView> rows, TextWriter output)
    {
        var shown = rows.Where(r => !r.Deleted).ToList();
        await output.WriteLineAsync($"{"id",-36}  {"status",-8}  environment / flag:version");
        await output.WriteLineAsync("  clause variation:goal:min count:threshold:operator");
        foreach (var r in shown)
        {
            await output.WriteLineAsync(OperatorCommands.Fit($"{r.RuleId,-36}  {r.Status ?? "?",-8}  {r.EnvironmentId} / {r.FeatureId}:{r.FeatureVersion}", 100));
            foreach (var c in r.Clauses ?? []) await output.WriteLineAsync(OperatorCommands.Fit($"  clause {OperatorCommands.FormatClause(c)}", 100));
            if (OperatorCommands.DescribeTriggerCounts(r.TriggeredAtMs, r.TriggeredClauseId, r.TriggeredEvaluationCount, r.TriggeredOpsEventCount,
                    r.Clauses ?? []) is { } trigger)
            {
                foreach (var line in OperatorCommands.Wrap(trigger, 100, "  ", "    ")) await output.WriteLineAsync(line);
            }
        }
        await output.WriteLineAsync($"{shown.Count} rule(s)");
    }

    /// <summary>The fields of the API's <c>AutoOpsRule</c> the list shows (<c>triggeredAtMs</c> in unix milliseconds).</summary>
    internal sealed record RuleView(Guid RuleId, string? EnvironmentId, string? FeatureId, int FeatureVersion, string? Status, bool Deleted,
        IReadOnlyList<EventRateClause>? Clauses, Guid? TriggeredClauseId, long? TriggeredAtMs, long? TriggeredEvaluationCount, long? TriggeredOpsEventCount);

    private static string Accepted(JsonElement a) =>
        $"rule {ExperimentsCommand.Text(a, "ruleId")} {ExperimentsCommand.Text(a, "detail")} (status {ExperimentsCommand.Text(a, "status")}" +
        (a.TryGetProperty("deleted", out var d) && d.ValueKind == JsonValueKind.True ? ", deleted" : "") + ")";
}
