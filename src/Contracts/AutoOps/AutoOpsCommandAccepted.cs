namespace Persisters.Contracts;

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
