namespace Persisters.Contracts;

/// <summary>Starts a waiting experiment now instead of at its planned start.</summary>
public sealed record StartExperiment
{
    public Guid ExperimentId { get; init; }
}
