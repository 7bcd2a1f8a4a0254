namespace Persisters.Contracts;

/// <summary>
/// An experiment became live (running, or stopped within its late-event tail) or stopped being live,
/// so the DWH persisters may be needed, or no longer needed. Every host's demand controller reacts.
/// </summary>
public sealed record PersisterDemandChanged
{
    public Guid ExperimentId { get; init; }
    public string EnvironmentId { get; init; } = "";
    /// <summary>The experiment's new status.</summary>
    public ExperimentStatus Status { get; init; }
    /// <summary>Whether the experiment now takes events.</summary>
    public bool IsLive { get; init; }
    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; init; }
}
