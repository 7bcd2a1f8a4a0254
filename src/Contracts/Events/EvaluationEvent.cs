using System.Text.Json.Serialization;
using Persisters.Contracts.Serialization;

namespace Persisters.Contracts;

/// <summary>User <see cref="UserId"/> was served variation <see cref="VariationId"/> of flag <see cref="FeatureId"/>.</summary>
/// <remarks>
/// <see cref="Id"/> is chosen by the sender and is the idempotency key of every persister. Its JSON is read by the rules of
/// <see cref="EventJson"/> (e.g. an integer may come as a decimal string; <c>null</c> is the default), alone or in an envelope.
/// </remarks>
[JsonConverter(typeof(EvaluationEventJsonConverter))]
public sealed record EvaluationEvent
{
    public string Id { get; init; } = "";
    public string EnvironmentId { get; init; } = "";
    /// <summary>Unix seconds, set by the SDK.</summary>
    public long Timestamp { get; init; }
    public string FeatureId { get; init; } = "";
    public int FeatureVersion { get; init; }
    /// <summary>Preferred over <see cref="User"/>.Id when not empty.</summary>
    public string UserId { get; init; } = "";
    public UserInfo? User { get; init; }
    /// <summary>Empty when the SDK returned its default value (stored as "default").</summary>
    public string VariationId { get; init; } = "";
    public ReasonType Reason { get; init; }
    /// <summary>Empty is stored as "none".</summary>
    public string Tag { get; init; } = "";
    public SourceId SourceId { get; init; }
    public string SdkVersion { get; init; } = "";
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
