namespace Persisters.Contracts;

/// <summary>Stops an experiment now and ends its late-event tail at once: no more events are persisted for it.</summary>
public sealed record ForceStopExperiment
{
    public Guid ExperimentId { get; init; }
}
