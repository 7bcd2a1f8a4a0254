namespace Persisters.Contracts;

public enum AutoOpsRuleStatus
{
    Waiting = 0,
    Running = 1,
    Finished = 2,
    Stopped = 3,
}

public enum RateOperator
{
    GreaterOrEqual = 0,
    LessOrEqual = 1,
}

public enum AutoOpsAction
{
    Unknown = 0,
    Enable = 1,
    Disable = 2,
}

/// <summary>
/// An event-rate clause of an auto-ops rule (Bucketeer's <c>OpsEventRateClause</c>): its action, the kill switch, disables the flag when
/// goal users / evaluation users of a variation (the clause's ops counts) crosses the threshold.
/// </summary>
public sealed record EventRateClause
{
    public Guid ClauseId { get; init; }
    public string VariationId { get; init; } = "";
    public string GoalId { get; init; } = "";
    /// <summary>Distinct goal users the clause needs before its rate is judged (the reference's minimum: on goal users, before the clamp to evaluation users).</summary>
    public long MinCount { get; init; }
    public double Threshold { get; init; }
    public RateOperator Operator { get; init; }
    public AutoOpsAction Action { get; init; } = AutoOpsAction.Disable;
}

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
