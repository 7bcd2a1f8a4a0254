namespace Persisters.Persistence.Writers;

/// <summary>The few statements whose syntax differs between MySQL/MariaDB and SQLite.</summary>
public sealed class SqlDialect
{
    public static readonly SqlDialect MySql = new(DatabaseProvider.MySql, "INSERT IGNORE INTO", " FOR UPDATE SKIP LOCKED");
    public static readonly SqlDialect Sqlite = new(DatabaseProvider.Sqlite, "INSERT OR IGNORE INTO", "");

    private SqlDialect(DatabaseProvider provider, string insertIgnore, string lockSkipLocked)
    {
        Provider = provider;
        InsertIgnore = insertIgnore;
        LockSkipLocked = lockSkipLocked;
    }

    public DatabaseProvider Provider { get; }

    /// <summary>An insert that silently keeps the existing row on a key conflict.</summary>
    public string InsertIgnore { get; }

    /// <summary>Suffix that locks selected rows and skips rows other hosts hold (empty where the database has one writer).</summary>
    public string LockSkipLocked { get; }

    /// <summary>Adds to the counters of an existing (clause, version) row, or creates it.</summary>
    public string OpsCountUpsert => Provider == DatabaseProvider.MySql
        ? "INSERT INTO ops_count (clause_id, feature_version, auto_ops_rule_id, environment_id, feature_id, evaluation_count, ops_event_count, updated_at) " +
          "VALUES (@clause, @version, @rule, @env, @feature, @evals, @goals, @now) " +
          "ON DUPLICATE KEY UPDATE evaluation_count = evaluation_count + VALUES(evaluation_count), " +
          "ops_event_count = ops_event_count + VALUES(ops_event_count), updated_at = VALUES(updated_at)"
        : "INSERT INTO ops_count (clause_id, feature_version, auto_ops_rule_id, environment_id, feature_id, evaluation_count, ops_event_count, updated_at) " +
          "VALUES (@clause, @version, @rule, @env, @feature, @evals, @goals, @now) " +
          "ON CONFLICT (clause_id, feature_version) DO UPDATE SET evaluation_count = evaluation_count + excluded.evaluation_count, " +
          "ops_event_count = ops_event_count + excluded.ops_event_count, updated_at = excluded.updated_at";

    /// <summary>Replaces the result document of an experiment.</summary>
    public string ExperimentResultUpsert => Provider == DatabaseProvider.MySql
        ? "INSERT INTO experiment_result (id, environment_id, updated_at, data) VALUES (@id, @env, @now, @data) " +
          "ON DUPLICATE KEY UPDATE environment_id = VALUES(environment_id), updated_at = VALUES(updated_at), data = VALUES(data)"
        : "INSERT INTO experiment_result (id, environment_id, updated_at, data) VALUES (@id, @env, @now, @data) " +
          "ON CONFLICT (id) DO UPDATE SET environment_id = excluded.environment_id, updated_at = excluded.updated_at, data = excluded.data";
}
