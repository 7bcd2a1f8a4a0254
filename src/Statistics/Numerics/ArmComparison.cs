namespace Persisters.Statistics.Numerics;

/// <summary>What the calculator needs from a set of independent posteriors, one entry per arm.</summary>
internal sealed record ArmComparison(
    double[] Mean,
    double[] StandardDeviation,
    double[] Median,
    double[] P025,
    double[] P975,
    double[] ProbBest,
    double[] ProbBeatBaseline,
    double[] ExpectedLoss,
    double[]? ExpectedLossStandardError = null);
