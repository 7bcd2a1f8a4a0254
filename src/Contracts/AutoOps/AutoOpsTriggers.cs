namespace Persisters.Contracts;

/// <summary>
/// An auto-ops rule triggered: one of its event-rate clauses crossed its threshold, the rule is now
/// <see cref="AutoOpsRuleStatus.Finished"/>, and its kill switch acts (<see cref="DisableFeature"/>, the webhook). Published once per rule by the host that dispatches the trigger (at least once
/// if a host dies between publishing and recording it: <see cref="TriggerId"/>, also the message id, identifies repeats).
/// </summary>
/// <remarks>
/// Keeps its name from before the auto-ops vocabulary (issue 12): the name is public three ways a rename would break: the publish
/// exchange/topic subscribers bind to is derived from the type name on RabbitMQ and Service Bus (a <c>[MessageUrn]</c> keeps only the
/// URN, and <c>[EntityName]</c> would bypass the host's entity-name prefix), and webhook receivers dispatch on the body's
/// <c>type</c> and the <c>X-Persisters-Event</c> header. Read it as "the auto-ops rule with event-rate clauses triggered".
/// </remarks>
public sealed record EventRateRuleTriggered
{
    /// <summary>Unique per trigger; the webhook's idempotency key.</summary>
    public Guid TriggerId { get; init; }
    public Guid RuleId { get; init; }
    public string EnvironmentId { get; init; } = "";
    public string FeatureId { get; init; } = "";
    public int FeatureVersion { get; init; }
    public Guid ClauseId { get; init; }
    public string VariationId { get; init; } = "";
    public string GoalId { get; init; } = "";
    /// <summary>Distinct users served the clause's variation of the flag version when the rule triggered.</summary>
    public long EvaluationUsers { get; init; }
    /// <summary>Distinct users who reached the clause's goal, clamped to <see cref="EvaluationUsers"/>.</summary>
    public long GoalUsers { get; init; }
    /// <summary><see cref="GoalUsers"/> / <see cref="EvaluationUsers"/>, in [0, 1].</summary>
    public double Rate { get; init; }
    public double Threshold { get; init; }
    public RateOperator Operator { get; init; }
    /// <summary>Unix milliseconds when the rule triggered (the commit of the batch that crossed the threshold).</summary>
    public long TriggeredAt { get; init; }
}

/// <summary>
/// A command for the flag service (Bucketeer's <c>DisableFeatureCommand</c>): turn the flag off in its environment. Published
/// by the kill switch once per trigger; <see cref="TriggerId"/> (also the message id) lets the flag service drop a repeat.
/// </summary>
public sealed record DisableFeature
{
    public Guid TriggerId { get; init; }
    public string EnvironmentId { get; init; } = "";
    public string FeatureId { get; init; } = "";
    /// <summary>The flag version the rule watched; the flag service may refuse if the flag has moved on.</summary>
    public int FeatureVersion { get; init; }
    /// <summary>The auto-ops rule that asks for it.</summary>
    public Guid RuleId { get; init; }
    /// <summary>Why, in one sentence for the flag's audit log.</summary>
    public string Comment { get; init; } = "";
}
