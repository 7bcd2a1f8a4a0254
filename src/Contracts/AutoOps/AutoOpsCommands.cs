using MassTransit;

namespace Persisters.Contracts;

/// <summary>
/// Creates an auto-ops rule with event-rate clauses (its action is the kill switch): the OPS persisters count its clauses'
/// users (ops counts) from now on. Sending the same definition again is accepted as "already exists".
/// </summary>
/// <remarks>
/// Wire name <see cref="MessageName"/> (message URN <c>urn:message:Persisters.Contracts:CreateEventRateRule</c>), the name this
/// command had before the auto-ops vocabulary (issue 12): senders built against the old contract are still consumed, and the
/// answers' <see cref="AutoOpsCommandAccepted.Command"/> keeps reporting it.
/// </remarks>
[MessageUrn(AutoOpsRuleCommandNames.Namespace + CreateAutoOpsRule.MessageName)]
public sealed record CreateAutoOpsRule
{
    /// <summary>The command's wire name: the last segment of its message URN, and <see cref="AutoOpsCommandAccepted.Command"/>.</summary>
    public const string MessageName = "CreateEventRateRule";

    public Guid RuleId { get; init; }
    public string EnvironmentId { get; init; } = "";
    public string FeatureId { get; init; } = "";
    /// <summary>The flag version whose users are counted.</summary>
    public int FeatureVersion { get; init; }
    /// <summary>At least one; clause ids unique.</summary>
    public IReadOnlyList<EventRateClause> Clauses { get; init; } = [];
}

/// <summary>Stops counting for an auto-ops rule; its ops counts stay readable.</summary>
/// <remarks>Wire name <see cref="MessageName"/> (see <see cref="CreateAutoOpsRule"/>).</remarks>
[MessageUrn(AutoOpsRuleCommandNames.Namespace + StopAutoOpsRule.MessageName)]
public sealed record StopAutoOpsRule
{
    /// <summary>The command's wire name: the last segment of its message URN, and <see cref="AutoOpsCommandAccepted.Command"/>.</summary>
    public const string MessageName = "StopEventRateRule";

    public Guid RuleId { get; init; }
}

/// <summary>Deletes an auto-ops rule: it stops counting and is no longer listed.</summary>
/// <remarks>Wire name <see cref="MessageName"/> (see <see cref="CreateAutoOpsRule"/>).</remarks>
[MessageUrn(AutoOpsRuleCommandNames.Namespace + DeleteAutoOpsRule.MessageName)]
public sealed record DeleteAutoOpsRule
{
    /// <summary>The command's wire name: the last segment of its message URN, and <see cref="AutoOpsCommandAccepted.Command"/>.</summary>
    public const string MessageName = "DeleteEventRateRule";

    public Guid RuleId { get; init; }
}

/// <summary>The answer to an auto-ops command that was applied, or that asked for what already holds (<see cref="Detail"/> starts with "already").</summary>
public sealed record AutoOpsCommandAccepted
{
    public Guid RuleId { get; init; }
    /// <summary>The command's wire name (<c>MessageName</c> of the command type, e.g. <c>StopEventRateRule</c> for <see cref="StopAutoOpsRule"/>).</summary>
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
    /// <summary>The command's wire name, as in <see cref="AutoOpsCommandAccepted.Command"/>.</summary>
    public string Command { get; init; } = "";
    /// <summary>The rule's status, unchanged; null when the rule does not exist.</summary>
    public AutoOpsRuleStatus? Status { get; init; }
    public string Reason { get; init; } = "";
}

/// <summary>Where the auto-ops rule commands' wire names live.</summary>
public static class AutoOpsRuleCommandNames
{
    /// <summary>The URN namespace of the commands (without MassTransit's <c>urn:message:</c> prefix, which the attribute adds).</summary>
    public const string Namespace = "Persisters.Contracts:";
}
