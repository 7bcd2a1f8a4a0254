namespace Persisters.Persistence.Model;

/// <summary>
/// One triggered auto-ops rule and what is still to be done about it (table <c>auto_ops_trigger</c>, the outbox of the
/// kill switch): written in the transaction that moved the rule to Finished, then published and sent to the webhook by
/// whichever host claims it (<see cref="LeaseOwner"/> / <see cref="LeaseUntil"/>). At most one row per rule (unique index).
/// </summary>
public sealed class AutoOpsTriggerRow
{
    /// <summary>The trigger id: the idempotency key of the webhook and the id of the published messages.</summary>
    public Guid Id { get; set; }
    public Guid AutoOpsRuleId { get; set; }
    public string EnvironmentId { get; set; } = "";
    public string FeatureId { get; set; } = "";
    public int FeatureVersion { get; set; }
    public Guid ClauseId { get; set; }
    public string VariationId { get; set; } = "";
    public string GoalId { get; set; } = "";
    public long EvaluationCount { get; set; }
    public long OpsEventCount { get; set; }
    public double Threshold { get; set; }
    /// <summary>A <c>RateOperator</c>.</summary>
    public int Operator { get; set; }
    /// <summary>Unix milliseconds.</summary>
    public long TriggeredAt { get; set; }
    /// <summary>Unix milliseconds when the messages were published; null until then.</summary>
    public long? PublishedAt { get; set; }
    /// <summary>A <c>WebhookDeliveryState</c>.</summary>
    public int WebhookState { get; set; }
    public int WebhookAttempts { get; set; }
    /// <summary>Unix milliseconds of the last webhook answer or failure; null before the first attempt.</summary>
    public long? WebhookLastAttemptAt { get; set; }
    /// <summary>The last failure (HTTP status or exception), at most 255 characters; null after success.</summary>
    public string? WebhookLastError { get; set; }
    /// <summary>Unix milliseconds when work on the row is next due; null when nothing is left (published, webhook final).</summary>
    public long? DueAt { get; set; }
    /// <summary>The host working on the row (its instance id) until <see cref="LeaseUntil"/>.</summary>
    public string? LeaseOwner { get; set; }
    /// <summary>Unix milliseconds; another host may claim the row after this.</summary>
    public long LeaseUntil { get; set; }
}
