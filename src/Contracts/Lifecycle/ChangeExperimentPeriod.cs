namespace Persisters.Contracts;

/// <summary>Moves the planned start and stop of a waiting or running experiment.</summary>
public sealed record ChangeExperimentPeriod
{
    public Guid ExperimentId { get; init; }
    /// <summary>Unix seconds. For a running experiment it must not be in the future.</summary>
    public long StartAt { get; init; }
    /// <summary>Unix seconds; after <see cref="StartAt"/> and in the future.</summary>
    public long StopAt { get; init; }
}
