namespace Persisters.Statistics;

/// <summary>Student-t marginal posterior of the mean value per user (Normal-Inverse-Gamma model) and its comparisons.</summary>
public sealed record ValuePosterior
{
    public double Location { get; init; }

    public double Scale { get; init; }

    public double DegreesOfFreedom { get; init; }

    public double Mean { get; init; }

    public double Sd { get; init; }

    public double Median { get; init; }

    public double P025 { get; init; }

    public double P975 { get; init; }

    public double ProbBest { get; init; }

    /// <summary>0 for the baseline itself.</summary>
    public double ProbBeatBaseline { get; init; }

    /// <summary>Sequential Bayes factor against the baseline (1 for the baseline).</summary>
    public double BayesFactor { get; init; }
}
