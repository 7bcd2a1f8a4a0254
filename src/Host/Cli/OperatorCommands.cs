using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Persisters.Contracts;
using Persisters.Host.Configuration;
using Persisters.Persistence;
using Persisters.Persistence.Model;
using Persisters.Sagas;

namespace Persisters.Host.Cli;

/// <summary>
/// What the operator verbs <c>experiments …</c> (<see cref="ExperimentsCommand"/>) and <c>autoops …</c>
/// (<see cref="AutoOpsCommand"/>) share: the options that say where the service's operator API is (<see cref="OperatorConnection"/>),
/// the readers of times and clauses, and the one-line description of a triggered rule. The verbs talk to a running service over
/// HTTP (<see cref="OperatorApiClient"/>), so they work on every transport, the embedded in-memory default included.
/// </summary>
public static class OperatorCommands
{
    /// <summary>The verb's <c>--url</c>, <c>--api-key</c> and <c>--timeout</c>, added to <paramref name="command"/>.</summary>
    public static Func<ParseResult, OperatorConnection> AddConnectionOptions(Command command)
    {
        var url = new Option<string>("--url")
        {
            Description = $"The service's base URL (environment: {OperatorConnection.UrlVariable}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(OperatorConnection.UrlVariable) is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : OperatorConnection.DefaultUrl,
        };
        url.Validators.Add(r =>
        {
            if (r.TryGetValue<string>(out var text) && BaseUrl(text) is null)
            {
                var source = r.Tokens.Count > 0 ? "--url" : OperatorConnection.UrlVariable;
                r.AddError($"{source} '{text}' is not an http:// or https:// URL, e.g. {OperatorConnection.DefaultUrl}.");
            }
        });
        var apiKey = new Option<string?>("--api-key")
        {
            Description = $"An admin API key (persisters keys create --role admin); better given in {OperatorConnection.ApiKeyVariable} " +
                          $"or a file named by {OperatorConnection.ApiKeyFileVariable} (a command line is visible to other users).",
        };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the service's answer.", DefaultValueFactory = _ => 30 }.Between(1, 86_400);
        command.Options.Add(url);
        command.Options.Add(apiKey);
        command.Options.Add(timeout);
        // The key is looked for when the verb runs (after every option parsed): a missing one is a setting error, exit 2.
        return p => ApiKey(p.GetValue(apiKey)) is { Key: { } key }
            ? new OperatorConnection(BaseUrl(p.GetValue(url)!)!, key, TimeSpan.FromSeconds(p.GetValue(timeout)))
            : throw new SettingsException(ApiKey(p.GetValue(apiKey)).Problem!);
    }

    /// <summary>An absolute http(s) URL ending in <c>/</c> (so that API paths go under a path prefix too); null when it is not one.</summary>
    internal static Uri? BaseUrl(string? text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)) return null;
        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri + "/");
    }

    /// <summary>The key from <c>--api-key</c>, else the environment, else the file the environment names; or what is wrong.</summary>
    private static (string? Key, string? Problem) ApiKey(string? given)
    {
        if (!string.IsNullOrWhiteSpace(given)) return (given.Trim(), null);
        if (Environment.GetEnvironmentVariable(OperatorConnection.ApiKeyVariable) is { } variable && !string.IsNullOrWhiteSpace(variable)) return (variable.Trim(), null);
        if (Environment.GetEnvironmentVariable(OperatorConnection.ApiKeyFileVariable) is { Length: > 0 } file)
        {
            try
            {
                var key = File.ReadAllText(file).Trim();
                return key.Length > 0 ? (key, null) : (null, $"{OperatorConnection.ApiKeyFileVariable}: the file '{file}' is empty.");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return (null, $"{OperatorConnection.ApiKeyFileVariable}: cannot read '{file}': {ex.Message}");
            }
        }
        return (null, $"No API key: give --api-key or set {OperatorConnection.ApiKeyVariable} (or {OperatorConnection.ApiKeyFileVariable}) to an admin key " +
                      "(persisters keys create --role admin --name NAME).");
    }

    /// <summary>A verb whose only argument is the id of what it acts on: <c>POST {collection}/{id}/{action}</c> (or DELETE).</summary>
    internal static Command IdCommand(string verb, string description, string what, Func<Guid, OperatorApiClient, CancellationToken, Task<int>> send)
    {
        var id = new Option<Guid>("--id") { Description = $"The {what}'s id.", Required = true };
        var command = new Command(verb, description) { id };
        var connection = AddConnectionOptions(command);
        command.SetAction((p, ct) => PersistersCommandLine.Guard(() =>
            send(p.GetValue(id), new OperatorApiClient(connection(p), p.InvocationConfiguration.Output, p.InvocationConfiguration.Error), ct)));
        return command;
    }

    /// <summary>A comma-separated list, blanks dropped.</summary>
    internal static string[] List(string? text) => (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A UTC time to the minute, for the list tables.</summary>
    internal static string Minute(long unix) => DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unix, 0, MaxUnixSeconds)).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary><paramref name="text"/> cut to <paramref name="width"/> characters, the cut marked with …</summary>
    internal static string Fit(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    /// <summary>
    /// <paramref name="text"/> in lines of at most <paramref name="width"/> characters, broken at spaces: the first after
    /// <paramref name="indent"/>, the others after <paramref name="continuation"/>; a word longer than a line is cut (<see cref="Fit"/>).
    /// </summary>
    internal static IEnumerable<string> Wrap(string text, int width, string indent, string continuation)
    {
        var line = indent;
        var empty = true;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!empty && line.Length + 1 + word.Length > width)
            {
                yield return Fit(line, width);
                (line, empty) = (continuation, true);
            }
            line += (empty ? "" : " ") + word;
            empty = false;
        }
        if (!empty) yield return Fit(line, width);
    }

    /// <summary>The clause as <c>--clause</c> takes it: <c>VARIATION:GOAL:MIN_COUNT:THRESHOLD:ge|le</c>.</summary>
    public static string FormatClause(EventRateClause c) =>
        $"{c.VariationId}:{c.GoalId}:{c.MinCount}:{c.Threshold.ToString(CultureInfo.InvariantCulture)}:{(c.Operator == RateOperator.GreaterOrEqual ? "ge" : "le")}";

    /// <summary>Reads an option that takes <see cref="ParseTime"/>'s forms; a bad one is that option's parse error (exit 2).</summary>
    internal static long? Time(ArgumentResult r, string option)
    {
        try
        {
            return ParseTime(option, r.Tokens.Single().Value, DateTimeOffset.UtcNow);
        }
        catch (SettingsException ex)
        {
            r.AddError(ex.Message);
            return null;
        }
    }

    /// <summary>The last second a time can be (9999-12-31T23:59:59Z); later ones cannot be sent, stored or scheduled.</summary>
    public static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>The experiment lifecycle saga's queue name: <c>ExperimentLifecycle:EndpointName</c>, else its default.</summary>
    public static string ExperimentLifecycleQueue(IConfiguration configuration) =>
        configuration[$"{ExperimentLifecycleOptions.SectionName}:EndpointName"] is { Length: > 0 } name ? name : ExperimentLifecycleOptions.DefaultEndpointName;

    /// <summary>
    /// One line about a triggered rule: when (UTC), which clause, the counts it triggered on, whether the messages were published and
    /// where its webhook stands, e.g. <c>triggered 2026-12-01 09:00:01.250 UTC by clause 3f0c… (green:error): 31 of 50 evaluation users
    /// reached the goal, rate 0.62 ge 0.5; published; webhook delivered after 1 attempt</c>. Null for a rule that has not triggered.
    /// </summary>
    public static string? DescribeTrigger(AutoOpsRuleRow rule, AutoOpsTriggerRow? trigger)
    {
        if (DescribeTriggerCounts(rule.TriggeredAt, rule.TriggeredClauseId, rule.TriggeredEvaluationCount, rule.TriggeredOpsEventCount,
                DefinitionStore.ToDefinition(rule).Clauses) is not { } text) return null;
        if (trigger is null) return text + "; no outbox row";
        text += trigger.PublishedAt is null ? "; not yet published" : "; published";
        var attempts = $"{trigger.WebhookAttempts} attempt{(trigger.WebhookAttempts == 1 ? "" : "s")}";
        return text + (WebhookDeliveryState)trigger.WebhookState switch
        {
            WebhookDeliveryState.Delivered => $"; webhook delivered after {attempts}",
            WebhookDeliveryState.Failed => $"; webhook failed after {attempts}: {trigger.WebhookLastError}",
            WebhookDeliveryState.NotConfigured => "; no webhook configured for the environment",
            _ when trigger.WebhookAttempts == 0 => "; webhook pending",
            _ => $"; webhook pending after {attempts} ({trigger.WebhookLastError}), next " +
                 (trigger.DueAt is { } due ? DateTimeOffset.FromUnixTimeMilliseconds(due).UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "attempt soon"),
        };
    }

    /// <summary>
    /// The first part of <see cref="DescribeTrigger"/>: when (<paramref name="atMs"/>, unix milliseconds, shown in UTC), which clause
    /// of <paramref name="clauses"/>, and the counts and rate it triggered on (goal users capped at evaluation users, as the rule
    /// judges them). Null for a rule that has not triggered (no time or no clause).
    /// </summary>
    public static string? DescribeTriggerCounts(long? atMs, Guid? clauseId, long? evaluationCount, long? opsEventCount, IReadOnlyList<EventRateClause> clauses)
    {
        if (atMs is not { } at || clauseId is not { } id) return null;
        var evaluations = evaluationCount ?? 0;
        var goals = Math.Min(opsEventCount ?? 0, evaluations);
        var clause = clauses.FirstOrDefault(c => c.ClauseId == id);
        var time = DateTimeOffset.FromUnixTimeMilliseconds(at).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var rate = evaluations == 0 ? 0 : (double)goals / evaluations;
        return $"triggered {time} UTC by clause {id}" + (clause is null ? "" : $" ({clause.VariationId}:{clause.GoalId})") +
               $": {goals} of {evaluations} evaluation users reached the goal, rate {rate.ToString("0.####", CultureInfo.InvariantCulture)}" +
               (clause is null ? "" : $" {(clause.Operator == RateOperator.GreaterOrEqual ? "ge" : "le")} {clause.Threshold.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Parses <c>VARIATION:GOAL:MIN_COUNT:THRESHOLD[:ge|le]</c>.</summary>
    public static EventRateClause ParseClause(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 4 or > 5
            || !long.TryParse(parts[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var minCount)
            || !double.TryParse(parts[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold))
        {
            throw new SettingsException($"--clause '{text}' is not VARIATION:GOAL:MIN_COUNT:THRESHOLD[:ge|le], e.g. green:error:50:0.5:ge.");
        }
        // NaN and Infinity parse as doubles, but no JSON message can carry them.
        if (!double.IsFinite(threshold))
        {
            throw new SettingsException($"--clause '{text}': THRESHOLD '{parts[3]}' is not a finite number; it is a share such as 0.5 (VARIATION:GOAL:MIN_COUNT:THRESHOLD[:ge|le]).");
        }
        var op = parts.Length == 5 ? parts[4].ToLowerInvariant() : "ge";
        return new EventRateClause
        {
            ClauseId = Guid.NewGuid(),
            VariationId = parts[0],
            GoalId = parts[1],
            MinCount = minCount,
            Threshold = threshold,
            Operator = op switch
            {
                "ge" => RateOperator.GreaterOrEqual,
                "le" => RateOperator.LessOrEqual,
                _ => throw new SettingsException($"--clause '{text}': the operator is ge or le, not '{parts[4]}'."),
            },
            Action = AutoOpsAction.Disable,
        };
    }

    /// <summary>Reads a time as unix seconds, an ISO 8601 instant, or <c>now</c>, from 1970-01-01 to 9999-12-31.</summary>
    /// <exception cref="SettingsException">Not such a time; a number 1000 times too large is named as milliseconds.</exception>
    public static long ParseTime(string option, string text, DateTimeOffset now)
    {
        const string form = "use now, unix seconds or ISO 8601 (2026-12-01T09:00:00Z)";
        if (text.Equals("now", StringComparison.OrdinalIgnoreCase)) return now.ToUnixTimeSeconds();
        long unix;
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)) unix = number;
        else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) unix = time.ToUnixTimeSeconds();
        else throw new SettingsException($"{option} '{text}' is not a time: {form}.");
        if (unix > MaxUnixSeconds && unix / 1000 <= MaxUnixSeconds)
        {
            throw new SettingsException($"{option} '{text}' looks like milliseconds; {form}, e.g. {unix / 1000}.");
        }
        if (unix is < 0 || unix > MaxUnixSeconds)
        {
            throw new SettingsException($"{option} '{text}' is not a time from 1970-01-01 to 9999-12-31: {form}.");
        }
        return unix;
    }
}
