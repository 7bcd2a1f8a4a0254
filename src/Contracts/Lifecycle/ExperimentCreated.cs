namespace Persisters.Contracts;

public sealed record ExperimentCreated
{
    public Guid ExperimentId { get; init; }
    public string EnvironmentId { get; init; } = "";
    public string Name { get; init; } = "";
    public string FeatureId { get; init; } = "";
    public int FeatureVersion { get; init; }
    public IReadOnlyList<string> VariationIds { get; init; } = [];
    public string BaselineVariationId { get; init; } = "";
    public IReadOnlyList<string> GoalIds { get; init; } = [];
    /// <summary>Unix seconds.</summary>
    public long StartAt { get; init; }
    /// <summary>Unix seconds.</summary>
    public long StopAt { get; init; }
    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; init; }
}
