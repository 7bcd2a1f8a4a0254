namespace Persisters.Contracts;

/// <summary>The answer to an experiment command that was not applied, with the reason.</summary>
public sealed record ExperimentCommandRejected
{
    public Guid ExperimentId { get; init; }
    /// <summary>The command's type name, e.g. <c>StartExperiment</c>.</summary>
    public string Command { get; init; } = "";
    /// <summary>The experiment's status, unchanged; null when the experiment does not exist.</summary>
    public ExperimentStatus? Status { get; init; }
    public string Reason { get; init; } = "";
}
