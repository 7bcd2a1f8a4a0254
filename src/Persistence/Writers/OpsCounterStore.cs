using Persisters.Persistence.Model;

namespace Persisters.Persistence.Writers;

/// <summary>
/// Exact distinct-user counters: users go into a set with a unique key, and the number of rows the
/// idempotent insert adds is added to the counter in the same transaction. A redelivered event adds
/// no row, so it adds nothing to the count.
/// </summary>
public sealed class OpsCounterStore(SqlDialect dialect)
{
    private readonly MultiRowInsert<OpsUserRow> _users = new(dialect.InsertIgnore, "ops_user",
        MultiRowInsert<OpsUserRow>.Col("clause_id", r => r.ClauseId.ToString("D")),
        MultiRowInsert<OpsUserRow>.Col("kind", r => r.Kind),
        MultiRowInsert<OpsUserRow>.Col("feature_version", r => r.FeatureVersion),
        MultiRowInsert<OpsUserRow>.Col("user_id", r => r.UserId));

    /// <summary>Adds the users of one (clause, kind, version) and bumps its counter; returns the new distinct users.</summary>
    public async Task<int> AddUsersAsync(DbSession s, OpsCounterKey key, IReadOnlyCollection<string> userIds, long now, CancellationToken ct)
    {
        var rows = userIds.Select(u => new OpsUserRow { ClauseId = key.ClauseId, Kind = (byte)key.Kind, FeatureVersion = key.FeatureVersion, UserId = u }).ToList();
        var added = await _users.ExecuteAsync(s, rows, ct);
        if (added > 0)
        {
            await s.ExecuteAsync(dialect.OpsCountUpsert, ct,
                ("@clause", key.ClauseId.ToString("D")), ("@version", key.FeatureVersion), ("@rule", key.RuleId.ToString("D")),
                ("@env", key.EnvironmentId), ("@feature", key.FeatureId),
                ("@evals", key.Kind == OpsCounterKind.Evaluation ? added : 0),
                ("@goals", key.Kind == OpsCounterKind.Goal ? added : 0),
                ("@now", now));
        }
        return added;
    }
}
