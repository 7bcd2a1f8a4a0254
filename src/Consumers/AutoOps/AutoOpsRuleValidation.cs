using Persisters.Contracts;
using Persisters.Persistence;

namespace Persisters.Consumers.AutoOps;

/// <summary>
/// What makes an auto-ops rule definition acceptable (the reference's API validation: variation and goal required, min count above 0,
/// 0 &lt; threshold &lt;= 1, action Disable; ours: every field a sender can set, ids within their columns counted in characters,
/// at most <see cref="MaxClauses"/> clauses); each problem is a sentence the sender sees.
/// </summary>
public static class AutoOpsRuleValidation
{
    /// <summary>Clauses per rule: each is evaluated for every event of the rule's flag.</summary>
    public const int MaxClauses = 100;

    public static string? ProblemWithCreate(CreateAutoOpsRule m)
    {
        if (m.RuleId == Guid.Empty) return "RuleId is required";
        if (string.IsNullOrWhiteSpace(m.EnvironmentId)) return "EnvironmentId is required";
        if (string.IsNullOrWhiteSpace(m.FeatureId)) return "FeatureId is required";
        if (!ColumnText.Fits(m.EnvironmentId, PersistersDbContext.EnvironmentIdLength)) return $"EnvironmentId is longer than {PersistersDbContext.EnvironmentIdLength} characters";
        if (!ColumnText.Fits(m.FeatureId, PersistersDbContext.IdLength)) return $"FeatureId is longer than {PersistersDbContext.IdLength} characters";
        if (m.FeatureVersion < 0) return "FeatureVersion must not be negative";
        if (m.Clauses is null || m.Clauses.Count == 0) return "a rule needs at least one clause";
        if (m.Clauses.Count > MaxClauses) return $"a rule has at most {MaxClauses} clauses ({m.Clauses.Count} given)";
        var ids = new HashSet<Guid>();
        for (var i = 0; i < m.Clauses.Count; i++)
        {
            var c = m.Clauses[i];
            var where = $"clause {i + 1}";
            if (c is null) return $"{where} is missing";
            if (c.ClauseId == Guid.Empty) return $"{where}: ClauseId is required";
            if (!ids.Add(c.ClauseId)) return $"{where}: ClauseId {c.ClauseId} is used twice";
            if (string.IsNullOrWhiteSpace(c.VariationId)) return $"{where}: VariationId is required";
            if (string.IsNullOrWhiteSpace(c.GoalId)) return $"{where}: GoalId is required";
            if (!ColumnText.Fits(c.VariationId, PersistersDbContext.IdLength)) return $"{where}: VariationId is longer than {PersistersDbContext.IdLength} characters";
            if (!ColumnText.Fits(c.GoalId, PersistersDbContext.IdLength)) return $"{where}: GoalId is longer than {PersistersDbContext.IdLength} characters";
            if (c.MinCount <= 0) return $"{where}: MinCount must be at least 1";
            if (!double.IsFinite(c.Threshold) || c.Threshold <= 0 || c.Threshold > 1) return $"{where}: Threshold must be in (0, 1]";
            if (!Enum.IsDefined(c.Operator)) return $"{where}: Operator {(int)c.Operator} is not GreaterOrEqual or LessOrEqual";
            if (c.Action != AutoOpsAction.Disable) return $"{where}: Action must be Disable (a kill switch only turns a flag off)";
        }
        return null;
    }
}
