namespace Persisters.Contracts;

/// <summary>Stops an experiment now; a running one keeps taking late events for the late-event tail.</summary>
public sealed record StopExperiment
{
    public Guid ExperimentId { get; init; }
}
