namespace Persisters.Contracts;

/// <summary>What a persister needs to know of an experiment to decide whether an event is relevant.</summary>
public sealed record ExperimentDefinition
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
    public ExperimentStatus Status { get; init; }
    public bool Archived { get; init; }
}
