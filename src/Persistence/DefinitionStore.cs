using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Persisters.Contracts;
using Persisters.Persistence.Model;

namespace Persisters.Persistence;

/// <summary>Reads and writes experiment and auto-ops rule definitions.</summary>
public sealed class DefinitionStore(IPersistersDbContextFactory factory)
{
    private static readonly JsonSerializerOptions Json = StoredJson.Options;

    /// <summary>The live experiments (<see cref="LiveExperiment"/>).</summary>
    public async Task<IReadOnlyList<ExperimentDefinition>> LoadLiveExperimentsAsync(long nowUnix, TimeSpan lateEventTail, CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        var rows = await db.Experiments.AsNoTracking().Where(LiveExperiment.Query(nowUnix, lateEventTail)).ToListAsync(ct);
        return rows.Select(ToDefinition).ToList();
    }

    /// <summary>
    /// What the demand controller needs, in one round trip: how many experiments are live (as in
    /// <see cref="LoadLiveExperimentsAsync"/>) and how many auto-ops rules are active (<see cref="ActiveAutoOpsRule"/>).
    /// Hand-written SQL; tests hold it to <see cref="LiveExperiment"/> and <see cref="ActiveAutoOpsRule"/> on MariaDB and SQLite.
    /// </summary>
    public async Task<(int LiveExperiments, int ActiveRules)> CountDemandAsync(long nowUnix, TimeSpan lateEventTail, CancellationToken ct)
    {
        var tailStart = LiveExperiment.TailStart(nowUnix, lateEventTail);
        await using var db = factory.CreateDbContext();
        // Plain SQL that MySQL/MariaDB and SQLite both read: two indexed counts, one statement.
        var row = (await db.Database.SqlQueryRaw<DemandCounts>(
            "SELECT (SELECT COUNT(*) FROM experiment WHERE archived = 0 AND (status = {0} OR (status = {1} AND stop_at > {2}))) AS LiveExperiments, " +
            "(SELECT COUNT(*) FROM auto_ops_rule WHERE " + ActiveAutoOpsRule.SqlCondition + ") AS ActiveRules",
            (int)ExperimentStatus.Running, (int)ExperimentStatus.Stopped, tailStart)
            .ToListAsync(ct)).Single();
        return ((int)row.LiveExperiments, (int)row.ActiveRules);
    }

    private sealed record DemandCounts(long LiveExperiments, long ActiveRules);

    /// <summary>The active auto-ops rules (<see cref="ActiveAutoOpsRule"/>): what the OPS persisters count for.</summary>
    public async Task<IReadOnlyList<AutoOpsRuleDefinition>> LoadActiveRulesAsync(CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        var rows = await db.AutoOpsRules.AsNoTracking().Where(ActiveAutoOpsRule.Query).ToListAsync(ct);
        return rows.Select(ToDefinition).ToList();
    }

    /// <summary>Writes the experiment row of <paramref name="d"/> (inserted with <c>created_at</c> = <paramref name="nowUnix"/> when new); unix seconds.</summary>
    public Task UpsertExperimentAsync(ExperimentDefinition d, long nowUnix, CancellationToken ct) =>
        UpsertAsync(d.ExperimentId, () => new ExperimentRow { Id = d.ExperimentId, CreatedAt = nowUnix }, row =>
        {
            row.SetDefinition(d.EnvironmentId, d.Name, d.FeatureId, d.FeatureVersion, d.VariationIds, d.BaselineVariationId, d.GoalIds, d.StartAt, d.StopAt);
            row.Status = (int)d.Status;
            row.Archived = d.Archived;
            row.UpdatedAt = nowUnix;
        }, ct);

    /// <summary>Writes the rule row of <paramref name="d"/> (inserted with <c>created_at</c> = <paramref name="nowUnix"/> when new); unix seconds.</summary>
    public Task UpsertRuleAsync(AutoOpsRuleDefinition d, long nowUnix, CancellationToken ct) =>
        UpsertAsync(d.RuleId, () => new AutoOpsRuleRow { Id = d.RuleId, CreatedAt = nowUnix }, row =>
        {
            row.EnvironmentId = d.EnvironmentId;
            row.FeatureId = d.FeatureId;
            row.FeatureVersion = d.FeatureVersion;
            row.Clauses = ClausesJson(d.Clauses);
            row.Status = (int)d.Status;
            row.UpdatedAt = nowUnix;
        }, ct);

    /// <summary>Finds the row by key or adds a new one, copies the definition into it and saves, in one context.</summary>
    private async Task UpsertAsync<TRow>(Guid id, Func<TRow> create, Action<TRow> copy, CancellationToken ct) where TRow : class
    {
        await using var db = factory.CreateDbContext();
        var rows = db.Set<TRow>();
        var row = await rows.FindAsync([id], ct);
        if (row is null)
        {
            row = create();
            rows.Add(row);
        }
        copy(row);
        await db.SaveChangesAsync(ct);
    }

    public static ExperimentDefinition ToDefinition(ExperimentRow r) => new()
    {
        ExperimentId = r.Id,
        EnvironmentId = r.EnvironmentId,
        Name = r.Name,
        FeatureId = r.FeatureId,
        FeatureVersion = r.FeatureVersion,
        VariationIds = JsonSerializer.Deserialize<string[]>(r.Variations, Json) ?? [],
        BaselineVariationId = r.BaseVariationId,
        GoalIds = JsonSerializer.Deserialize<string[]>(r.GoalIds, Json) ?? [],
        StartAt = r.StartAt,
        StopAt = r.StopAt,
        Status = (ExperimentStatus)r.Status,
        Archived = r.Archived,
    };

    /// <summary>The stored form of a rule's clauses (column <c>auto_ops_rule.clauses</c>).</summary>
    public static string ClausesJson(IReadOnlyList<EventRateClause> clauses) => JsonSerializer.Serialize(clauses, Json);

    public static AutoOpsRuleDefinition ToDefinition(AutoOpsRuleRow r) => new()
    {
        RuleId = r.Id,
        EnvironmentId = r.EnvironmentId,
        FeatureId = r.FeatureId,
        FeatureVersion = r.FeatureVersion,
        Clauses = JsonSerializer.Deserialize<EventRateClause[]>(r.Clauses, Json) ?? [],
        Status = (AutoOpsRuleStatus)r.Status,
    };
}
