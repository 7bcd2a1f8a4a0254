namespace Persisters.Contracts;

/// <summary>An auto-ops rule (Bucketeer's <c>AutoOpsRule</c> of type EVENT_RATE) on one flag version: its event-rate clauses are what the OPS persisters count ops counts for.</summary>
public sealed record AutoOpsRuleDefinition
{
    public Guid RuleId { get; init; }
    public string EnvironmentId { get; init; } = "";
    public string FeatureId { get; init; } = "";
    /// <summary>The flag version whose users are counted; counts restart from zero for a new version.</summary>
    public int FeatureVersion { get; init; }
    public IReadOnlyList<EventRateClause> Clauses { get; init; } = [];
    public AutoOpsRuleStatus Status { get; init; }
}
