namespace Persisters.Contracts;

/// <summary>The experiment stopped; late events are still persisted until <see cref="LateEventsUntil"/>.</summary>
public sealed record ExperimentStopped
{
    public Guid ExperimentId { get; init; }
    public string EnvironmentId { get; init; } = "";
    /// <summary>Unix seconds: the end of the experiment's period (the planned stop, or the earlier manual stop).</summary>
    public long StopAt { get; init; }
    /// <summary>Unix seconds: when the stop was processed.</summary>
    public long StoppedAt { get; init; }
    /// <summary>Unix seconds: <see cref="StopAt"/> plus the late-event tail.</summary>
    public long LateEventsUntil { get; init; }
    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; init; }
}
