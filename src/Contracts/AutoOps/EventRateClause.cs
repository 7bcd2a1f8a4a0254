namespace Persisters.Contracts;

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
