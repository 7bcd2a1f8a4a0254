using System.Text.Json.Serialization;
using Persisters.Contracts.Serialization;

namespace Persisters.Contracts;

/// <summary>User <see cref="UserId"/> reached goal <see cref="GoalId"/>, optionally with a value.</summary>
/// <remarks>
/// Linked to experiments through the user's stored evaluation events, never through the tag. Its JSON is read by the rules
/// of <see cref="EventJson"/>, alone or in an envelope.
/// </remarks>
[JsonConverter(typeof(GoalEventJsonConverter))]
public sealed record GoalEvent
{
    public string Id { get; init; } = "";
    public string EnvironmentId { get; init; } = "";
    /// <summary>Unix seconds, set by the SDK.</summary>
    public long Timestamp { get; init; }
    public string GoalId { get; init; } = "";
    public string UserId { get; init; } = "";
    public UserInfo? User { get; init; }
    public double Value { get; init; }
    public string Tag { get; init; } = "";
    public SourceId SourceId { get; init; }
    public string SdkVersion { get; init; } = "";
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
