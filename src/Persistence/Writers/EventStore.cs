using Persisters.Persistence.Model;

namespace Persisters.Persistence.Writers;

/// <summary>The DWH tables: idempotent multi-row inserts and the lookups goal linking needs.</summary>
public sealed class EventStore
{
    private readonly MultiRowInsert<EvaluationEventRow> _evaluations;
    private readonly MultiRowInsert<GoalEventRow> _goals;
    private readonly MultiRowInsert<GoalEventRetryRow> _retries;

    public EventStore(SqlDialect dialect)
    {
        _evaluations = new(dialect.InsertIgnore, "evaluation_event",
            MultiRowInsert<EvaluationEventRow>.Col("id", r => r.Id),
            MultiRowInsert<EvaluationEventRow>.Col("environment_id", r => r.EnvironmentId),
            MultiRowInsert<EvaluationEventRow>.Col("timestamp", r => r.Timestamp),
            MultiRowInsert<EvaluationEventRow>.Col("feature_id", r => r.FeatureId),
            MultiRowInsert<EvaluationEventRow>.Col("feature_version", r => r.FeatureVersion),
            MultiRowInsert<EvaluationEventRow>.Col("user_id", r => r.UserId),
            MultiRowInsert<EvaluationEventRow>.Col("user_data", r => r.UserData),
            MultiRowInsert<EvaluationEventRow>.Col("variation_id", r => r.VariationId),
            MultiRowInsert<EvaluationEventRow>.Col("reason", r => r.Reason),
            MultiRowInsert<EvaluationEventRow>.Col("tag", r => r.Tag),
            MultiRowInsert<EvaluationEventRow>.Col("source_id", r => r.SourceId),
            MultiRowInsert<EvaluationEventRow>.Col("sdk_version", r => r.SdkVersion),
            MultiRowInsert<EvaluationEventRow>.Col("created_at", r => r.CreatedAt));
        _goals = new(dialect.InsertIgnore, "goal_event",
            MultiRowInsert<GoalEventRow>.Col("id", r => r.Id),
            MultiRowInsert<GoalEventRow>.Col("experiment_id", r => r.ExperimentId.ToString("D")),
            MultiRowInsert<GoalEventRow>.Col("environment_id", r => r.EnvironmentId),
            MultiRowInsert<GoalEventRow>.Col("timestamp", r => r.Timestamp),
            MultiRowInsert<GoalEventRow>.Col("goal_id", r => r.GoalId),
            MultiRowInsert<GoalEventRow>.Col("value", r => r.Value),
            MultiRowInsert<GoalEventRow>.Col("user_id", r => r.UserId),
            MultiRowInsert<GoalEventRow>.Col("user_data", r => r.UserData),
            MultiRowInsert<GoalEventRow>.Col("tag", r => r.Tag),
            MultiRowInsert<GoalEventRow>.Col("source_id", r => r.SourceId),
            MultiRowInsert<GoalEventRow>.Col("sdk_version", r => r.SdkVersion),
            MultiRowInsert<GoalEventRow>.Col("feature_id", r => r.FeatureId),
            MultiRowInsert<GoalEventRow>.Col("feature_version", r => r.FeatureVersion),
            MultiRowInsert<GoalEventRow>.Col("variation_id", r => r.VariationId),
            MultiRowInsert<GoalEventRow>.Col("reason", r => r.Reason),
            MultiRowInsert<GoalEventRow>.Col("created_at", r => r.CreatedAt));
        _retries = new(dialect.InsertIgnore, "goal_event_retry",
            MultiRowInsert<GoalEventRetryRow>.Col("event_id", r => r.EventId),
            MultiRowInsert<GoalEventRetryRow>.Col("environment_id", r => r.EnvironmentId),
            MultiRowInsert<GoalEventRetryRow>.Col("payload", r => r.Payload),
            MultiRowInsert<GoalEventRetryRow>.Col("attempts", r => r.Attempts),
            MultiRowInsert<GoalEventRetryRow>.Col("first_attempt_at", r => r.FirstAttemptAt),
            MultiRowInsert<GoalEventRetryRow>.Col("next_attempt_at", r => r.NextAttemptAt));
    }

    public Task<int> InsertEvaluationsAsync(DbSession s, IReadOnlyList<EvaluationEventRow> rows, CancellationToken ct) =>
        _evaluations.ExecuteAsync(s, rows, ct);

    public Task<int> InsertGoalsAsync(DbSession s, IReadOnlyList<GoalEventRow> rows, CancellationToken ct) =>
        _goals.ExecuteAsync(s, rows, ct);

    /// <summary>Parks goal events for a later attempt; an event already parked keeps its first record.</summary>
    public Task<int> InsertRetriesAsync(DbSession s, IReadOnlyList<GoalEventRetryRow> rows, CancellationToken ct) =>
        _retries.ExecuteAsync(s, rows, ct);

    /// <summary>Every evaluation of the given users for one flag version inside [from, to].</summary>
    public async Task<IReadOnlyList<EvaluationLink>> FindEvaluationsAsync(
        DbSession s, string environmentId, string featureId, int featureVersion,
        IReadOnlyCollection<string> userIds, long from, long to, CancellationToken ct)
    {
        var links = new List<EvaluationLink>();
        foreach (var chunk in userIds.Chunk(500))
        {
            await using var cmd = s.Command(
                "", ("@env", environmentId), ("@feature", featureId), ("@version", featureVersion), ("@from", from), ("@to", to));
            var users = DbSession.AddInList(cmd, "u", chunk);
            cmd.CommandText =
                "SELECT user_id, timestamp, variation_id, reason FROM evaluation_event " +
                "WHERE environment_id = @env AND feature_id = @feature AND feature_version = @version " +
                $"AND user_id IN ({users}) AND timestamp >= @from AND timestamp <= @to";
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                links.Add(new EvaluationLink(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3)));
            }
        }
        return links;
    }

    /// <summary>Due parked goal events, locked against other hosts until the transaction ends.</summary>
    public async Task<IReadOnlyList<GoalEventRetryRow>> ClaimDueRetriesAsync(DbSession s, long now, int max, CancellationToken ct)
    {
        await using var cmd = s.Command(
            "SELECT event_id, environment_id, payload, attempts, first_attempt_at, next_attempt_at FROM goal_event_retry " +
            $"WHERE next_attempt_at <= @now ORDER BY next_attempt_at LIMIT {max}{s.Dialect.LockSkipLocked}",
            ("@now", now));
        var rows = new List<GoalEventRetryRow>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new GoalEventRetryRow
            {
                EventId = reader.GetString(0),
                EnvironmentId = reader.GetString(1),
                Payload = reader.GetString(2),
                Attempts = reader.GetInt32(3),
                FirstAttemptAt = reader.GetInt64(4),
                NextAttemptAt = reader.GetInt64(5),
            });
        }
        return rows;
    }

    public Task<int> DeleteRetryAsync(DbSession s, string eventId, CancellationToken ct) =>
        s.ExecuteAsync("DELETE FROM goal_event_retry WHERE event_id = @id", ct, ("@id", eventId));

    public Task<int> RescheduleRetryAsync(DbSession s, string eventId, int attempts, long nextAttemptAt, CancellationToken ct) =>
        s.ExecuteAsync("UPDATE goal_event_retry SET attempts = @a, next_attempt_at = @n WHERE event_id = @id", ct,
            ("@a", attempts), ("@n", nextAttemptAt), ("@id", eventId));
}
