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
