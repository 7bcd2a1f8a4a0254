namespace Persisters.Contracts;

/// <summary>
/// The answer to an experiment command that was applied, or that asked for what already holds
/// (<see cref="Detail"/> then starts with "already").
/// </summary>
public sealed record ExperimentCommandAccepted
{
    public Guid ExperimentId { get; init; }
    /// <summary>The command's type name, e.g. <c>StartExperiment</c>.</summary>
    public string Command { get; init; } = "";
    /// <summary>The experiment's status after the command.</summary>
    public ExperimentStatus Status { get; init; }
    /// <summary>What happened, e.g. "started" or "already running".</summary>
    public string Detail { get; init; } = "";
}
