namespace Persisters.Contracts;

/// <summary>Creates an experiment on one flag version; it starts at <see cref="StartAt"/> and stops at <see cref="StopAt"/> on its own.</summary>
public sealed record CreateExperiment
{
    public Guid ExperimentId { get; init; }
    public string EnvironmentId { get; init; } = "";
    public string Name { get; init; } = "";
    public string FeatureId { get; init; } = "";
    /// <summary>The flag version the experiment is pinned to.</summary>
    public int FeatureVersion { get; init; }
    public IReadOnlyList<string> VariationIds { get; init; } = [];
    /// <summary>Must be one of <see cref="VariationIds"/>.</summary>
    public string BaselineVariationId { get; init; } = "";
    /// <summary>At least one; duplicates are removed.</summary>
    public IReadOnlyList<string> GoalIds { get; init; } = [];
    /// <summary>Unix seconds. At or before now: the experiment starts at once.</summary>
    public long StartAt { get; init; }
    /// <summary>Unix seconds; after <see cref="StartAt"/> and in the future.</summary>
    public long StopAt { get; init; }
}
