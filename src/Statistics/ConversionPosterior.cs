namespace Persisters.Statistics;

/// <summary>Beta(x + 1, n − x + 1) posterior of the conversion rate (a fraction in [0, 1]) and its comparisons.</summary>
public sealed record ConversionPosterior
{
    public double Alpha { get; init; }

    public double Beta { get; init; }

    public double Mean { get; init; }

    public double Sd { get; init; }

    public double Median { get; init; }

    public double P025 { get; init; }

    public double P975 { get; init; }

    /// <summary>P(this variation's rate is the highest).</summary>
    public double ProbBest { get; init; }

    /// <summary>P(rate &gt; baseline rate); 0 for the baseline itself.</summary>
    public double ProbBeatBaseline { get; init; }

    /// <summary>E[max over variations − this rate] × 100: percentage points lost by choosing this variation.</summary>
    public double ExpectedLoss { get; init; }

    /// <summary>Sequential Bayes factor against the baseline (1 for the baseline).</summary>
    public double BayesFactor { get; init; }
}
