using System.Text.Json.Serialization;
using Persisters.Contracts;

namespace Persisters.Host.Api;

/// <summary>The auto-ops rule consumer's answer to an accepted command (200).</summary>
/// <param name="Command">The command's wire name, e.g. <c>StopEventRateRule</c> for <see cref="StopAutoOpsRule"/> (the names before the auto-ops rename, kept for clients that compare them).</param>
/// <param name="Detail">What happened, e.g. "created", "stopped", "already deleted".</param>
public sealed record AutoOpsRuleCommandAnswer(
    Guid RuleId,
    string Command,
    [property: JsonConverter(typeof(JsonStringEnumConverter<AutoOpsRuleStatus>))] AutoOpsRuleStatus Status,
    bool Deleted,
    string Detail);
