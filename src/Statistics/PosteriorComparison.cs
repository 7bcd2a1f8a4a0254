using Persisters.Statistics.Numerics;
using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics;

/// <summary>Exact comparisons of arbitrary independent posteriors, for callers (and tests) that need more than the calculator reports.</summary>
public static class PosteriorComparison
{
    /// <summary>P(X &gt; Y) for independent Beta posteriors.</summary>
    public static double ProbabilityGreater(BetaPosterior x, BetaPosterior y) =>
        new PosteriorGrid([x, y], GridSettings.Standard).ProbabilityGreater(0, 1);

    /// <summary>P(X &gt; Y) for independent Student-t posteriors.</summary>
    public static double ProbabilityGreater(StudentTPosterior x, StudentTPosterior y) =>
        new PosteriorGrid([x, y], GridSettings.Standard).ProbabilityGreater(0, 1);

    /// <summary>P(arm i is the largest) for each arm.</summary>
    public static double[] ProbabilityBest(IReadOnlyList<BetaPosterior> arms) =>
        new PosteriorGrid(arms.Cast<IPosterior>().ToList(), GridSettings.Standard).ProbabilityBest();

    /// <summary>E[max_j X_j − X_i] for each arm, as a fraction (the calculator reports it × 100).</summary>
    public static double[] ExpectedLoss(IReadOnlyList<BetaPosterior> arms) =>
        new PosteriorGrid(arms.Cast<IPosterior>().ToList(), GridSettings.Standard).ExpectedLossVersusBest();

    /// <summary>The p-quantile of a Beta posterior.</summary>
    public static double Quantile(BetaPosterior posterior, double p) =>
        new PosteriorGrid([posterior], GridSettings.Standard).Quantile(0, p);

    /// <summary>The p-quantile of a Student-t posterior.</summary>
    public static double Quantile(StudentTPosterior posterior, double p) =>
        new PosteriorGrid([posterior], GridSettings.Standard).Quantile(0, p);
}
