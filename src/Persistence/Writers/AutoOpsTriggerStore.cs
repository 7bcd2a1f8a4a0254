using System.Data.Common;
using Persisters.Contracts;
using Persisters.Persistence.Model;

namespace Persisters.Persistence.Writers;

/// <summary>
/// The kill switch's writes (table <c>auto_ops_trigger</c>, one row per triggered auto-ops rule): read a clause's counts inside the counting transaction, move a rule to Finished once (a
/// conditional UPDATE) and write its outbox row (<c>auto_ops_trigger</c>) in the same transaction; then the dispatcher's
/// claims (a lease by conditional UPDATE, so two hosts never work on one row at once) and progress. Plain SQL both
/// MySQL/MariaDB and SQLite read. Times are unix milliseconds.
/// </summary>
public sealed class AutoOpsTriggerStore
{
    /// <summary>
    /// Affects 0 rows when another transaction triggered the rule first, or it is stopped, deleted or already finished.
    /// InnoDB re-checks the WHERE against the latest committed row (an UPDATE is a locking read) and SQLite has one writer,
    /// so of two racing transactions exactly one gets 1.
    /// </summary>
    private static readonly string TriggerRule =
        "UPDATE auto_ops_rule SET status = @finished, triggered_clause_id = @clause, triggered_at = @at, " +
        "triggered_evaluation_count = @evals, triggered_ops_event_count = @goals, updated_at = @now " +
        "WHERE id = @rule AND " + ActiveAutoOpsRule.SqlCondition;

    private const string InsertTrigger =
        "INSERT INTO auto_ops_trigger (id, auto_ops_rule_id, environment_id, feature_id, feature_version, clause_id, variation_id, goal_id, " +
        "evaluation_count, ops_event_count, threshold, operator, triggered_at, published_at, webhook_state, webhook_attempts, " +
        "webhook_last_attempt_at, webhook_last_error, due_at, lease_owner, lease_until) VALUES (@id, @rule, @env, @feature, @version, @clause, " +
        "@variation, @goal, @evals, @goals, @threshold, @operator, @at, NULL, @state, 0, NULL, NULL, @at, NULL, 0)";

    /// <summary>The (evaluation users, goal users) of a clause and flag version as this transaction sees them; (0, 0) without a row.</summary>
    public async Task<(long EvaluationCount, long OpsEventCount)> ReadCountsAsync(DbSession s, Guid clauseId, int featureVersion, CancellationToken ct)
    {
        await using var cmd = s.Command("SELECT evaluation_count, ops_event_count FROM ops_count WHERE clause_id = @clause AND feature_version = @version",
            ("@clause", clauseId.ToString("D")), ("@version", featureVersion));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    /// <summary>
    /// Moves the rule to Finished with <paramref name="trigger"/>'s clause, time and counts, and writes the outbox row, if the rule is
    /// still active (<see cref="ActiveAutoOpsRule"/>). Returns false (and writes nothing) when it is not: stopped, deleted, finished, or triggered by a concurrent
    /// transaction.
    /// </summary>
    public async Task<bool> TryTriggerAsync(DbSession s, AutoOpsTriggerRow trigger, long nowUnixSeconds, CancellationToken ct)
    {
        var won = await s.ExecuteAsync(TriggerRule, ct,
            ("@finished", (int)AutoOpsRuleStatus.Finished), ("@clause", trigger.ClauseId.ToString("D")), ("@at", trigger.TriggeredAt),
            ("@evals", trigger.EvaluationCount), ("@goals", trigger.OpsEventCount), ("@now", nowUnixSeconds),
            ("@rule", trigger.AutoOpsRuleId.ToString("D")));
        if (won != 1) return false;
        await s.ExecuteAsync(InsertTrigger, ct,
            ("@id", trigger.Id.ToString("D")), ("@rule", trigger.AutoOpsRuleId.ToString("D")), ("@env", trigger.EnvironmentId), ("@feature", trigger.FeatureId),
            ("@version", trigger.FeatureVersion), ("@clause", trigger.ClauseId.ToString("D")), ("@variation", trigger.VariationId), ("@goal", trigger.GoalId),
            ("@evals", trigger.EvaluationCount), ("@goals", trigger.OpsEventCount), ("@threshold", trigger.Threshold), ("@operator", trigger.Operator),
            ("@at", trigger.TriggeredAt), ("@state", trigger.WebhookState));
        return true;
    }

    /// <summary>Ids of outbox rows with work due at <paramref name="now"/> that no host holds, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<Guid>> DueAsync(DbSession s, long now, int limit, CancellationToken ct)
    {
        await using var cmd = s.Command("SELECT id FROM auto_ops_trigger WHERE due_at IS NOT NULL AND due_at <= @now AND lease_until <= @now ORDER BY due_at LIMIT @limit",
            ("@now", now), ("@limit", limit));
        var ids = new List<Guid>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(Guid.Parse(reader.GetString(0)));
        return ids;
    }

    /// <summary>
    /// Claims a due row for <paramref name="owner"/> until <paramref name="leaseUntil"/>: a conditional UPDATE, so of two hosts exactly
    /// one gets it; the other skips it. A host that dies holding a lease loses it when the lease ends.
    /// </summary>
    public async Task<bool> TryClaimAsync(DbSession s, Guid id, string owner, long now, long leaseUntil, CancellationToken ct) =>
        await s.ExecuteAsync("UPDATE auto_ops_trigger SET lease_owner = @owner, lease_until = @until " +
                             "WHERE id = @id AND due_at IS NOT NULL AND due_at <= @now AND lease_until <= @now", ct,
            ("@owner", owner), ("@until", leaseUntil), ("@id", id.ToString("D")), ("@now", now)) == 1;

    /// <summary>Reads one outbox row.</summary>
    public async Task<AutoOpsTriggerRow?> ReadAsync(DbSession s, Guid id, CancellationToken ct)
    {
        await using var cmd = s.Command("SELECT id, auto_ops_rule_id, environment_id, feature_id, feature_version, clause_id, variation_id, goal_id, " +
                                        "evaluation_count, ops_event_count, threshold, operator, triggered_at, published_at, webhook_state, webhook_attempts, " +
                                        "webhook_last_attempt_at, webhook_last_error, due_at, lease_owner, lease_until FROM auto_ops_trigger WHERE id = @id",
            ("@id", id.ToString("D")));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new AutoOpsTriggerRow
        {
            Id = Guid.Parse(r.GetString(0)), AutoOpsRuleId = Guid.Parse(r.GetString(1)), EnvironmentId = r.GetString(2), FeatureId = r.GetString(3),
            FeatureVersion = r.GetInt32(4), ClauseId = Guid.Parse(r.GetString(5)), VariationId = r.GetString(6), GoalId = r.GetString(7),
            EvaluationCount = r.GetInt64(8), OpsEventCount = r.GetInt64(9), Threshold = r.GetDouble(10), Operator = r.GetInt32(11),
            TriggeredAt = r.GetInt64(12), PublishedAt = NullableInt64(r, 13), WebhookState = r.GetInt32(14), WebhookAttempts = r.GetInt32(15),
            WebhookLastAttemptAt = NullableInt64(r, 16), WebhookLastError = r.IsDBNull(17) ? null : r.GetString(17), DueAt = NullableInt64(r, 18),
            LeaseOwner = r.IsDBNull(19) ? null : r.GetString(19), LeaseUntil = r.GetInt64(20),
        };
    }

    /// <summary>Records the messages as published (once: a row already published keeps its first time).</summary>
    public Task MarkPublishedAsync(DbSession s, Guid id, long now, CancellationToken ct) =>
        s.ExecuteAsync("UPDATE auto_ops_trigger SET published_at = @now WHERE id = @id AND published_at IS NULL", ct, ("@now", now), ("@id", id.ToString("D")));

    /// <summary>
    /// Records the webhook's state after an attempt (or that none is configured) and when work is next due (null: done), and
    /// releases the lease of <paramref name="owner"/>.
    /// </summary>
    public Task RecordWebhookAsync(DbSession s, Guid id, string owner, int state, int attempts, long? lastAttemptAt, string? lastError, long? dueAt, CancellationToken ct) =>
        s.ExecuteAsync("UPDATE auto_ops_trigger SET webhook_state = @state, webhook_attempts = @attempts, webhook_last_attempt_at = @last, " +
                       "webhook_last_error = @error, due_at = @due, lease_owner = NULL, lease_until = 0 WHERE id = @id AND lease_owner = @owner", ct,
            ("@state", state), ("@attempts", attempts), ("@last", lastAttemptAt), ("@error", lastError), ("@due", dueAt), ("@id", id.ToString("D")), ("@owner", owner));

    private static long? NullableInt64(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
}
