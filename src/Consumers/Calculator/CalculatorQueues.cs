namespace Persisters.Consumers.Calculator;

/// <summary>The calculator's queue: the recurring tick and the per-experiment commands both arrive here.</summary>
public static class CalculatorQueues
{
    public const string Calculator = "experiment-results-calculator";

    public static readonly Uri Address = new($"queue:{Calculator}");
}
