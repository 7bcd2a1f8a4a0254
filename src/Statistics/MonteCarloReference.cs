using Persisters.Statistics.Numerics;
using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics;

/// <summary>
/// The same results as <see cref="ExperimentCalculator"/> estimated the way Bucketeer does, by sampling the
/// posteriors (seeded, so reproducible). For tests and the benchmark only: its error is about
/// √(p(1−p)/draws), i.e. ±0.0015 at 105,000 draws, against the calculator's 1e-10.
/// </summary>
public static class MonteCarloReference
{
    /// <summary>Bucketeer's pooled draws per variation: 5 chains × 21,000.</summary>
    public const int BucketeerDraws = 105_000;

    /// <summary>Bucketeer's Stan seed.</summary>
    public const int DefaultSeed = 1234;

    /// <summary>Same inputs, outputs and validation as <see cref="ExperimentCalculator.Calculate(IReadOnlyList{VariationCounts})"/>.</summary>
    public static GoalCalculation Calculate(
        IReadOnlyList<VariationCounts> variations, int draws = BucketeerDraws, int seed = DefaultSeed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 2);
        return ExperimentCalculator.Calculate(variations, new MonteCarloEngine(draws, seed));
    }

    /// <summary>Monte Carlo estimates for arbitrary Beta posteriors (P(best), P(beat baseline), expected loss as a fraction, quantiles).</summary>
    public static MonteCarloEstimate CompareBetas(
        IReadOnlyList<BetaPosterior> arms, int baseline, int draws = BucketeerDraws, int seed = DefaultSeed)
    {
        var c = new MonteCarloEngine(draws, seed).Compare(arms.Cast<IPosterior>().ToList(), baseline);
        return new MonteCarloEstimate(c.Mean, c.StandardDeviation, c.Median, c.P025, c.P975, c.ProbBest, c.ProbBeatBaseline, c.ExpectedLoss, c.ExpectedLossStandardError!);
    }

    /// <summary>Monte Carlo estimates for Student-t posteriors, sampled as the reference's NIG draws.</summary>
    public static MonteCarloEstimate CompareStudentT(
        IReadOnlyList<StudentTPosterior> arms, int baseline, int draws = BucketeerDraws, int seed = DefaultSeed)
    {
        var c = new MonteCarloEngine(draws, seed).Compare(arms.Cast<IPosterior>().ToList(), baseline);
        return new MonteCarloEstimate(c.Mean, c.StandardDeviation, c.Median, c.P025, c.P975, c.ProbBest, c.ProbBeatBaseline, c.ExpectedLoss, c.ExpectedLossStandardError!);
    }
}

/// <summary>Per-arm Monte Carlo estimates; <see cref="ExpectedLoss"/> is a fraction (not × 100), with its standard error.</summary>
public sealed record MonteCarloEstimate(
    IReadOnlyList<double> Mean,
    IReadOnlyList<double> StandardDeviation,
    IReadOnlyList<double> Median,
    IReadOnlyList<double> P025,
    IReadOnlyList<double> P975,
    IReadOnlyList<double> ProbBest,
    IReadOnlyList<double> ProbBeatBaseline,
    IReadOnlyList<double> ExpectedLoss,
    IReadOnlyList<double> ExpectedLossStandardError);
