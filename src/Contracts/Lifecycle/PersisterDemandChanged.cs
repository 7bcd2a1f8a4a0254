namespace Persisters.Contracts;

/// <summary>
/// An experiment became live (running, or stopped within its late-event tail) or stopped being live,
/// so the DWH persisters may be needed, or no longer needed; or an auto-ops rule became active or inactive
/// (<see cref="RuleId"/> set), so the OPS persisters may be. Every host's demand controller reacts.
/// </summary>
public sealed record PersisterDemandChanged
{
    /// <summary>The experiment that changed; empty when a rule changed.</summary>
    public Guid ExperimentId { get; init; }
    /// <summary>The auto-ops rule that changed; null when an experiment changed.</summary>
    public Guid? RuleId { get; init; }
    public string EnvironmentId { get; init; } = "";
    /// <summary>The experiment's new status.</summary>
    public ExperimentStatus Status { get; init; }
    /// <summary>Whether the experiment (or rule) now takes events.</summary>
    public bool IsLive { get; init; }
    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; init; }
}
