namespace Persisters.Contracts;

/// <summary>Archives a finished or force-stopped experiment (it stays in the database, flagged).</summary>
public sealed record ArchiveExperiment
{
    public Guid ExperimentId { get; init; }
}
