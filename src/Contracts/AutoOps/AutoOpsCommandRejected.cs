namespace Persisters.Contracts;

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
