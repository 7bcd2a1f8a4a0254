namespace Persisters.Contracts;

/// <summary>Scheduled by the experiment lifecycle for the end of the late-event tail; not for other senders.</summary>
public sealed record ExperimentLateEventTailEnded
{
    public Guid ExperimentId { get; init; }
    /// <summary>Unix seconds the timer was set for.</summary>
    public long DueAt { get; init; }
}
