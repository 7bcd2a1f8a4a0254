namespace Persisters.Contracts;

/// <summary>Computes one experiment's results and replaces its <c>experiment_result</c> document (sent to <c>queue:experiment-results-calculator</c>).</summary>
public sealed record CalculateExperimentResults
{
    public Guid ExperimentId { get; init; }
}
