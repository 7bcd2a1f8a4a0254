namespace Persisters.Consumers.Calculator;

/// <summary>A live experiment's window starts after this calculator's now (clocks of replicas differ); the command is retried.</summary>
public sealed class CalculationWindowNotOpenException(Guid experimentId, string detail)
    : Exception($"Experiment {experimentId}: {detail}; the calculation is retried")
{
    public Guid ExperimentId { get; } = experimentId;
}
