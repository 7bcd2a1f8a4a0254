namespace Persisters.Contracts;

public sealed record ExperimentStarted
{
    public Guid ExperimentId { get; init; }
    public string EnvironmentId { get; init; } = "";
    public string FeatureId { get; init; } = "";
    public int FeatureVersion { get; init; }
    /// <summary>Unix seconds: the actual start.</summary>
    public long StartAt { get; init; }
    /// <summary>Unix seconds: the planned stop.</summary>
    public long StopAt { get; init; }
    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; init; }
}
