namespace Persisters.Contracts;

/// <summary>Scheduled by the experiment lifecycle for the planned start; not for other senders.</summary>
public sealed record ExperimentStartTimeReached
{
    public Guid ExperimentId { get; init; }
    /// <summary>Unix seconds the timer was set for.</summary>
    public long DueAt { get; init; }
}
