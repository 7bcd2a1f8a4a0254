using System.Globalization;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Persisters.Contracts;
using Persisters.Host.Configuration;
using Persisters.Host.Hosting;
using Persisters.Persistence;
using Persisters.Persistence.Model;
using Persisters.Sagas;
using Persisters.Sagas.AutoOps;

namespace Persisters.Host.Cli;

/// <summary>
/// The operator verbs <c>experiments …</c> and <c>autoops …</c>. Commands go over the configured broker to the service (the
/// experiment-lifecycle saga, the auto-ops rule consumer) as requests, and the answer is printed: exit code 0 when accepted,
/// 1 when rejected (with the reason), 3 when no service answered in time. <c>list</c> reads the database.
/// </summary>
public static class OperatorCommands
{
    /// <summary>The last second a time can be (9999-12-31T23:59:59Z); later ones cannot be sent, stored or scheduled.</summary>
    public static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>The experiment lifecycle saga's queue name: <c>ExperimentLifecycle:EndpointName</c>, else its default.</summary>
    public static string ExperimentLifecycleQueue(IConfiguration configuration) =>
        configuration[$"{ExperimentLifecycleOptions.SectionName}:EndpointName"] is { Length: > 0 } name ? name : ExperimentLifecycleOptions.DefaultEndpointName;

    /// <summary>Sends an experiment command to the lifecycle saga and prints the answer.</summary>
    public static Task<int> SendExperimentCommandAsync<T>(string[] hostArgs, T command, TimeSpan timeout, CancellationToken ct) where T : class =>
        SendAsync<T, ExperimentCommandAccepted, ExperimentCommandRejected>(hostArgs, command,
            ExperimentLifecycleQueue,
            a => $"experiment {a.ExperimentId} {a.Detail} (status {a.Status})",
            r => $"experiment {r.ExperimentId}: {r.Reason}" + (r.Status is { } s ? $" (status {s})" : ""),
            timeout, ct);

    /// <summary>Sends an auto-ops rule command to the service and prints the answer.</summary>
    public static Task<int> SendRuleCommandAsync<T>(string[] hostArgs, T command, TimeSpan timeout, CancellationToken ct) where T : class =>
        SendAsync<T, AutoOpsCommandAccepted, AutoOpsCommandRejected>(hostArgs, command,
            _ => AutoOpsRegistration.EndpointName,
            a => $"rule {a.RuleId} {a.Detail} (status {a.Status}{(a.Deleted ? ", deleted" : "")})",
            r => $"rule {r.RuleId}: {r.Reason}" + (r.Status is { } s ? $" (status {s})" : ""),
            timeout, ct);

    /// <summary>Sends the command as a request to the queue and prints "accepted: …" (exit 0) or "rejected: …" (exit 1).</summary>
    private static Task<int> SendAsync<TCommand, TAccepted, TRejected>(string[] hostArgs, TCommand command, Func<IConfiguration, string> queue,
        Func<TAccepted, string> describeAccepted, Func<TRejected, string> describeRejected, TimeSpan timeout, CancellationToken ct)
        where TCommand : class where TAccepted : class where TRejected : class =>
        WithBusAsync(hostArgs, async (services, configuration, stopping) =>
        {
            var client = services.GetRequiredService<IBus>().CreateRequestClient<TCommand>(new Uri($"queue:{queue(configuration)}"),
                RequestTimeout.After(ms: (int)timeout.TotalMilliseconds));
            var response = await client.GetResponse<TAccepted, TRejected>(command, stopping);
            if (response.Is(out Response<TAccepted>? accepted))
            {
                Console.WriteLine($"accepted: {describeAccepted(accepted!.Message)}");
                return 0;
            }
            response.Is(out Response<TRejected>? rejected);
            Console.WriteLine($"rejected: {describeRejected(rejected!.Message)}");
            return PersistersCommandLine.Rejected;
        }, timeout, ct);

    /// <summary>Prints the experiments that are not archived (all with <paramref name="all"/>), newest first.</summary>
    public static Task<int> ListExperimentsAsync(string[] hostArgs, bool all, CancellationToken ct) =>
        WithDatabaseAsync(hostArgs, async db =>
        {
            var rows = await db.Experiments.AsNoTracking().Where(e => all || !e.Archived).OrderByDescending(e => e.CreatedAt).ToListAsync(ct);
            Console.WriteLine($"{"id",-36}  {"status",-12}  {"environment",-12}  {"feature",-20}  {"start (UTC)",-20}  {"stop (UTC)",-20}  name");
            foreach (var e in rows)
            {
                var status = ((ExperimentStatus)e.Status).ToString() + (e.Archived ? "*" : "");
                Console.WriteLine($"{e.Id,-36}  {status,-12}  {e.EnvironmentId,-12}  {e.FeatureId + ":" + e.FeatureVersion,-20}  {Time(e.StartAt),-20}  {Time(e.StopAt),-20}  {e.Name}");
            }
            Console.WriteLine($"{rows.Count} experiment(s)" + (all ? " (* archived)" : ""));
            return 0;
        }, ct);

    /// <summary>Prints the event-rate rules that are not deleted; under a triggered rule, its trigger (<see cref="DescribeTrigger"/>).</summary>
    public static Task<int> ListRulesAsync(string[] hostArgs, CancellationToken ct) =>
        WithDatabaseAsync(hostArgs, async db =>
        {
            var rows = await db.AutoOpsRules.AsNoTracking().Where(r => !r.Deleted).OrderByDescending(r => r.CreatedAt).ToListAsync(ct);
            var ids = rows.Where(r => r.TriggeredAt is not null).Select(r => r.Id).ToList();
            var triggers = await db.AutoOpsTriggers.AsNoTracking().Where(t => ids.Contains(t.AutoOpsRuleId)).ToDictionaryAsync(t => t.AutoOpsRuleId, ct);
            Console.WriteLine($"{"id",-36}  {"status",-8}  {"environment",-12}  {"feature",-20}  clauses (variation:goal:min count:threshold:operator)");
            foreach (var r in rows)
            {
                var clauses = DefinitionStore.ToDefinition(r).Clauses;
                var text = string.Join("; ", clauses.Select(c =>
                    $"{c.VariationId}:{c.GoalId}:{c.MinCount}:{c.Threshold.ToString(CultureInfo.InvariantCulture)}:{(c.Operator == RateOperator.GreaterOrEqual ? "ge" : "le")}"));
                Console.WriteLine($"{r.Id,-36}  {(AutoOpsRuleStatus)r.Status,-8}  {r.EnvironmentId,-12}  {r.FeatureId + ":" + r.FeatureVersion,-20}  {text}");
                if (DescribeTrigger(r, triggers.GetValueOrDefault(r.Id)) is { } trigger) Console.WriteLine("  " + trigger);
            }
            Console.WriteLine($"{rows.Count} rule(s)");
            return 0;
        }, ct);

    /// <summary>
    /// One line about a triggered rule: when (UTC), which clause, the counts it triggered on, whether the messages were published and
    /// where its webhook stands, e.g. <c>triggered 2026-12-01 09:00:01.250 UTC by clause 3f0c… (green:error): 31 of 50 evaluation users
    /// reached the goal, rate 0.62 ge 0.5; published; webhook delivered after 1 attempt</c>. Null for a rule that has not triggered.
    /// </summary>
    public static string? DescribeTrigger(AutoOpsRuleRow rule, AutoOpsTriggerRow? trigger)
    {
        if (rule.TriggeredAt is not { } at || rule.TriggeredClauseId is not { } clauseId) return null;
        var evaluations = rule.TriggeredEvaluationCount ?? 0;
        var goals = Math.Min(rule.TriggeredOpsEventCount ?? 0, evaluations);
        var clause = DefinitionStore.ToDefinition(rule).Clauses.FirstOrDefault(c => c.ClauseId == clauseId);
        var time = DateTimeOffset.FromUnixTimeMilliseconds(at).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var rate = evaluations == 0 ? 0 : (double)goals / evaluations;
        var text = $"triggered {time} UTC by clause {clauseId}" + (clause is null ? "" : $" ({clause.VariationId}:{clause.GoalId})") +
                   $": {goals} of {evaluations} evaluation users reached the goal, rate {rate.ToString("0.####", CultureInfo.InvariantCulture)}" +
                   (clause is null ? "" : $" {(clause.Operator == RateOperator.GreaterOrEqual ? "ge" : "le")} {clause.Threshold.ToString(CultureInfo.InvariantCulture)}");
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

    private static string Time(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static async Task<int> WithBusAsync(string[] hostArgs, Func<IServiceProvider, IConfiguration, CancellationToken, Task<int>> action, TimeSpan timeout,
        CancellationToken ct)
    {
        var builder = VerbHost.CreateBuilder(hostArgs, LogLevel.Error);
        var settings = builder.AddPersistersSettings();
        if (settings.Transport.Kind == TransportKind.InMemory)
        {
            throw new SettingsException(
                "Transport:Kind is InMemory, which cannot reach a service in another process. Set Transport__Kind (and its settings) to the service's broker.");
        }
        if (settings.Transport.Kind == TransportKind.AzureServiceBus && !settings.Transport.AzureServiceBus.CreateEntities)
        {
            throw new SettingsException(
                "Transport:AzureServiceBus:CreateEntities is false, so this process gets no reply queue (its name is made up at start and cannot be provisioned): " +
                "run operator verbs with credentials that may create entities (environment: Transport__AzureServiceBus__CreateEntities=true).");
        }
        builder.AddPersistersServices(settings, withPersisters: false);
        using var app = builder.Build();
        return await VerbHost.RunAsync(app, settings.Transport.Kind, timeout, async stopping =>
        {
            try
            {
                return await action(app.Services, builder.Configuration, stopping);
            }
            catch (RequestTimeoutException)
            {
                await Console.Error.WriteLineAsync($"no answer within {timeout.TotalSeconds:0.#} s: is a persisters service running on this broker ({settings.Transport.Kind})?");
                return PersistersCommandLine.NoAnswer;
            }
            catch (RequestFaultException ex)
            {
                // Not a rejection: the service failed (its database, a bug); its log and the queue's _error queue have the details.
                var reason = ex.Fault?.Exceptions.FirstOrDefault() is { } e ? $"{e.ExceptionType}: {e.Message}" : ex.Message;
                await Console.Error.WriteLineAsync($"the service failed on the command: {reason} (see the service's log and the queue's _error queue)");
                return PersistersCommandLine.ServiceFailed;
            }
        }, ct);
    }

    private static async Task<int> WithDatabaseAsync(string[] hostArgs, Func<PersistersDbContext, Task<int>> action, CancellationToken ct)
    {
        var builder = VerbHost.CreateBuilder(hostArgs, LogLevel.Error);
        var settings = builder.AddPersistersSettings();
        builder.Services.AddPersistersDatabase(settings.Database);
        using var host = builder.Build();
        await host.Services.MigrateIfConfiguredAsync(ct);
        await using var db = host.Services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        return await action(db);
    }
}
