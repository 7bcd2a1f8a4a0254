using MassTransit;

namespace Persisters.Contracts;

/// <summary>Deletes an auto-ops rule: it stops counting and is no longer listed.</summary>
/// <remarks>Wire name <see cref="MessageName"/> (see <see cref="CreateAutoOpsRule"/>).</remarks>
[MessageUrn(AutoOpsRuleCommandNames.Namespace + DeleteAutoOpsRule.MessageName)]
public sealed record DeleteAutoOpsRule
{
    /// <summary>The command's wire name: the last segment of its message URN, and <see cref="AutoOpsCommandAccepted.Command"/>.</summary>
    public const string MessageName = "DeleteEventRateRule";

    public Guid RuleId { get; init; }
}
