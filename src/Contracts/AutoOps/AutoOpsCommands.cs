namespace Persisters.Contracts;

/// <summary>
/// Creates an event-rate (kill-switch) rule: the OPS persisters count its clauses' users from now on.
/// Sending the same definition again is accepted as "already exists".
/// </summary>
public sealed record CreateEventRateRule
{
    public Guid RuleId { get; init; }
    public string EnvironmentId { get; init; } = "";
    public string FeatureId { get; init; } = "";
    /// <summary>The flag version whose users are counted.</summary>
    public int FeatureVersion { get; init; }
    /// <summary>At least one; clause ids unique.</summary>
    public IReadOnlyList<EventRateClause> Clauses { get; init; } = [];
}

/// <summary>Stops counting for a rule; its counts stay readable.</summary>
public sealed record StopEventRateRule
{
    public Guid RuleId { get; init; }
}

/// <summary>Deletes a rule: it stops counting and is no longer listed.</summary>
public sealed record DeleteEventRateRule
{
    public Guid RuleId { get; init; }
}

/// <summary>The answer to an auto-ops command that was applied, or that asked for what already holds (<see cref="Detail"/> starts with "already").</summary>
public sealed record AutoOpsCommandAccepted
{
    public Guid RuleId { get; init; }
    /// <summary>The command's type name, e.g. <c>StopEventRateRule</c>.</summary>
    public string Command { get; init; } = "";
    /// <summary>The rule's status after the command.</summary>
    public AutoOpsRuleStatus Status { get; init; }
    public bool Deleted { get; init; }
    public string Detail { get; init; } = "";
}

/// <summary>The answer to an auto-ops command that was not applied, with the reason.</summary>
public sealed record AutoOpsCommandRejected
{
    public Guid RuleId { get; init; }
    public string Command { get; init; } = "";
    /// <summary>The rule's status, unchanged; null when the rule does not exist.</summary>
    public AutoOpsRuleStatus? Status { get; init; }
    public string Reason { get; init; } = "";
}
