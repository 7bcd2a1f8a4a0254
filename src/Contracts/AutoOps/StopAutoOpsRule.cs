using MassTransit;

namespace Persisters.Contracts;

/// <summary>Stops counting for an auto-ops rule; its ops counts stay readable.</summary>
/// <remarks>Wire name <see cref="MessageName"/> (see <see cref="CreateAutoOpsRule"/>).</remarks>
[MessageUrn(AutoOpsRuleCommandNames.Namespace + StopAutoOpsRule.MessageName)]
public sealed record StopAutoOpsRule
{
    /// <summary>The command's wire name: the last segment of its message URN, and <see cref="AutoOpsCommandAccepted.Command"/>.</summary>
    public const string MessageName = "StopEventRateRule";

    public Guid RuleId { get; init; }
}
