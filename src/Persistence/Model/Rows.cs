namespace Persisters.Persistence.Model;

/// <summary>One evaluation event of a flag under a live experiment (table <c>evaluation_event</c>, keyed by the event id).</summary>
public sealed class EvaluationEventRow
{
    public string Id { get; set; } = "";
    public string EnvironmentId { get; set; } = "";
    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; set; }
    public string FeatureId { get; set; } = "";
    public int FeatureVersion { get; set; }
    public string UserId { get; set; } = "";
    public string? UserData { get; set; }
    public string VariationId { get; set; } = "";
    public string Reason { get; set; } = "";
    public string Tag { get; set; } = "";
    public string SourceId { get; set; } = "";
    public string SdkVersion { get; set; } = "";
    /// <summary>Unix milliseconds when the row was written.</summary>
    public long CreatedAt { get; set; }
}

/// <summary>One goal event attributed to one experiment (table <c>goal_event</c>, keyed by event id and experiment).</summary>
public sealed class GoalEventRow
{
    public string Id { get; set; } = "";
    public Guid ExperimentId { get; set; }
    public string EnvironmentId { get; set; } = "";
    public long Timestamp { get; set; }
    public string GoalId { get; set; } = "";
    public double Value { get; set; }
    public string UserId { get; set; } = "";
    public string? UserData { get; set; }
    public string Tag { get; set; } = "";
    public string SourceId { get; set; } = "";
    public string SdkVersion { get; set; } = "";
    /// <summary>From the linked evaluation: the variation the user actually saw.</summary>
    public string FeatureId { get; set; } = "";
    public int FeatureVersion { get; set; }
    public string VariationId { get; set; } = "";
    public string Reason { get; set; } = "";
    public long CreatedAt { get; set; }
}

/// <summary>A goal event whose user had no evaluation yet; retried with backoff until linked or expired.</summary>
public sealed class GoalEventRetryRow
{
    public string EventId { get; set; } = "";
    public string EnvironmentId { get; set; } = "";
    /// <summary>The goal event as JSON.</summary>
    public string Payload { get; set; } = "";
    public int Attempts { get; set; }
    /// <summary>Unix seconds of the first failed link.</summary>
    public long FirstAttemptAt { get; set; }
    /// <summary>Unix seconds when the next attempt is due.</summary>
    public long NextAttemptAt { get; set; }
}

/// <summary>An experiment as the persisters and the calculator see it (table <c>experiment</c>).</summary>
public sealed class ExperimentRow
{
    public Guid Id { get; set; }
    public string EnvironmentId { get; set; } = "";
    public string Name { get; set; } = "";
    public string FeatureId { get; set; } = "";
    public int FeatureVersion { get; set; }
    /// <summary>JSON array of variation ids.</summary>
    public string Variations { get; set; } = "[]";
    public string BaseVariationId { get; set; } = "";
    /// <summary>JSON array of goal ids.</summary>
    public string GoalIds { get; set; } = "[]";
    public long StartAt { get; set; }
    public long StopAt { get; set; }
    /// <summary>Unix seconds when it was stopped; null while not stopped.</summary>
    public long? StoppedAt { get; set; }
    /// <summary>An <c>ExperimentStatus</c>; also the lifecycle saga's state (one column, so the two cannot disagree).</summary>
    public int Status { get; set; }
    public bool Archived { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    /// <summary>Optimistic-concurrency token of the lifecycle saga: every change adds one, and an update expecting an older value fails.</summary>
    public int Version { get; set; }
    /// <summary>Lifecycle saga: token of the pending start timer (a timer whose token differs is stale and ignored).</summary>
    public Guid? StartTimerTokenId { get; set; }
    /// <summary>Lifecycle saga: token of the pending stop timer.</summary>
    public Guid? StopTimerTokenId { get; set; }
    /// <summary>Lifecycle saga: token of the pending end-of-late-event-tail timer.</summary>
    public Guid? FinishTimerTokenId { get; set; }
}

/// <summary>An auto-ops rule (table <c>auto_ops_rule</c>); its event-rate clauses as JSON. Active: <see cref="ActiveAutoOpsRule"/>.</summary>
public sealed class AutoOpsRuleRow
{
    public Guid Id { get; set; }
    public string EnvironmentId { get; set; } = "";
    public string FeatureId { get; set; } = "";
    public int FeatureVersion { get; set; }
    public string Clauses { get; set; } = "[]";
    public int Status { get; set; }
    public bool Deleted { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    /// <summary>The clause that triggered the rule (it is then Finished); null until then.</summary>
    public Guid? TriggeredClauseId { get; set; }
    /// <summary>Unix milliseconds when the rule triggered; null until then.</summary>
    public long? TriggeredAt { get; set; }
    /// <summary>Distinct evaluation users of the triggering clause when it triggered.</summary>
    public long? TriggeredEvaluationCount { get; set; }
    /// <summary>Distinct goal users of the triggering clause when it triggered (before clamping to the evaluation users).</summary>
    public long? TriggeredOpsEventCount { get; set; }
}

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

/// <summary>Where the outgoing webhook of a trigger stands (column <c>auto_ops_trigger.webhook_state</c>).</summary>
public enum WebhookDeliveryState
{
    /// <summary>Not yet answered with 2xx; another attempt is due at <c>due_at</c>.</summary>
    Pending = 0,
    /// <summary>The receiver answered 2xx.</summary>
    Delivered = 1,
    /// <summary>Every attempt failed (<c>AutoOps:WebhookMaxAttempts</c>); <c>webhook_last_error</c> says how the last one did.</summary>
    Failed = 2,
    /// <summary>No webhook is configured for the rule's environment.</summary>
    NotConfigured = 3,
}

/// <summary>The set behind the exact distinct-user counts: one row per (clause, kind, version, user).</summary>
public sealed class OpsUserRow
{
    public Guid ClauseId { get; set; }
    /// <summary>0 = evaluation, 1 = goal.</summary>
    public byte Kind { get; set; }
    public int FeatureVersion { get; set; }
    public string UserId { get; set; } = "";
}

/// <summary>Exact distinct-user counters per clause and flag version (table <c>ops_count</c>).</summary>
public sealed class OpsCountRow
{
    public Guid ClauseId { get; set; }
    public int FeatureVersion { get; set; }
    public Guid AutoOpsRuleId { get; set; }
    public string EnvironmentId { get; set; } = "";
    public string FeatureId { get; set; } = "";
    public long EvaluationCount { get; set; }
    public long OpsEventCount { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>One result document per experiment (table <c>experiment_result</c>).</summary>
public sealed class ExperimentResultRow
{
    public Guid Id { get; set; }
    public string EnvironmentId { get; set; } = "";
    public long UpdatedAt { get; set; }
    public string Data { get; set; } = "{}";
}

/// <summary>
/// An API key of the HTTP front door (table <c>api_key</c>). Only the SHA-256 of the secret is kept; the key itself is printed
/// once by <c>persisters keys create</c>.
/// </summary>
public sealed class ApiKeyRow
{
    /// <summary>The key's public id (the part of the key before its secret), shown by <c>keys list</c> and in logs.</summary>
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>SHA-256 of the whole key's UTF-8 bytes, lower-case hex (64 characters).</summary>
    public string Hash { get; set; } = "";
    /// <summary>1 ingest, 2 admin.</summary>
    public int Role { get; set; }
    /// <summary>JSON array of environment ids the key may post events for.</summary>
    public string Environments { get; set; } = "[]";
    public long CreatedAt { get; set; }
    /// <summary>Unix seconds of the revocation, or null while the key is valid.</summary>
    public long? RevokedAt { get; set; }
}
