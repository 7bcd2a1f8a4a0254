namespace Persisters.Contracts;

/// <summary>The experiment was force-stopped: no more events are persisted for it, not even late ones.</summary>
public sealed record ExperimentForceStopped
{
    public Guid ExperimentId { get; init; }
    public string EnvironmentId { get; init; } = "";
    /// <summary>Unix seconds.</summary>
    public long StoppedAt { get; init; }
    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; init; }
}
