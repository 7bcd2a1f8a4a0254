namespace Persisters.Contracts;

/// <summary>The late-event tail ended (or the experiment was stopped before it started): no more events are persisted for it.</summary>
public sealed record ExperimentFinished
{
    public Guid ExperimentId { get; init; }
    public string EnvironmentId { get; init; } = "";
    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; init; }
}
