namespace Persisters.Contracts;

public sealed record ExperimentArchived
{
    public Guid ExperimentId { get; init; }
    public string EnvironmentId { get; init; } = "";
    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; init; }
}
