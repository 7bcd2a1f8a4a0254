using Persisters.Statistics.Numerics;

namespace Persisters.Statistics.Posteriors;

/// <summary>
/// Beta(α, β) posterior of a conversion rate. With the flat Beta(1, 1) prior and x conversions out of n users it
/// is Beta(x + 1, n − x + 1), the exact posterior of Bucketeer's Stan model.
/// </summary>
public sealed class BetaPosterior : IPosterior
{
    private readonly double _mode;

    public BetaPosterior(double alpha, double beta)
    {
        if (!(alpha >= 1.0) || !(beta >= 1.0) || double.IsInfinity(alpha) || double.IsInfinity(beta))
        {
            throw new ArgumentOutOfRangeException(
                nameof(alpha), $"Beta parameters must be finite and >= 1 (got α = {alpha}, β = {beta}).");
        }

        Alpha = alpha;
        Beta = beta;
        var sum = alpha + beta;
        Mean = alpha / sum;
        Variance = alpha / sum * (beta / sum) / (sum + 1.0);
        StandardDeviation = Math.Sqrt(Variance);
        _mode = sum > 2.0 ? (alpha - 1.0) / (sum - 2.0) : 0.5;
        WindowLower = Math.Max(0.0, Mean - Breakpoints.CoreReach * StandardDeviation);
        WindowUpper = Math.Min(1.0, Mean + Breakpoints.CoreReach * StandardDeviation);
    }

    /// <summary>Posterior after <paramref name="conversions"/> of <paramref name="users"/> under a Beta(1, 1) prior.</summary>
    public static BetaPosterior FromCounts(long conversions, long users)
    {
        if (users < 0 || conversions < 0 || conversions > users)
        {
            throw new ArgumentOutOfRangeException(
                nameof(conversions), $"Need 0 <= conversions <= users (got {conversions} of {users}).");
        }

        return new BetaPosterior(conversions + 1.0, users - conversions + 1.0);
    }

    /// <summary>(α − 1)/(α + β − 2); 1/2 for the uniform Beta(1, 1).</summary>
    public double Mode => _mode;

    public double Alpha { get; }

    public double Beta { get; }

    public double Mean { get; }

    public double Variance { get; }

    public double StandardDeviation { get; }

    public double WindowLower { get; }

    public double WindowUpper { get; }

    /// <summary>
    /// log density minus log density at the mode, written as (α−1)·log1p((x−m)/m) + (β−1)·log1p((m−x)/(1−m)) so that
    /// it keeps full relative precision even when α and β are 10⁷ (the naive form loses ~9 digits there).
    /// </summary>
    public double LogDensityRelative(double x)
    {
        if (x < 0.0 || x > 1.0)
        {
            return double.NegativeInfinity;
        }

        var value = 0.0;
        if (Alpha > 1.0)
        {
            // ln(x/m); x - m is exact near the mode, where it matters.
            value += (Alpha - 1.0) * MoreMath.Log1p((x - _mode) / _mode);
        }

        if (Beta > 1.0)
        {
            // ln((1-x)/(1-m)).
            value += (Beta - 1.0) * MoreMath.Log1p((_mode - x) / (1.0 - _mode));
        }

        return value;
    }

    double IPosterior.Sample(Sampling random) => random.Beta(Alpha, Beta);

    void IPosterior.AddBreakpoints(List<GridPoint> points) =>
        Breakpoints.AddAround(points, Mean, StandardDeviation, WindowLower, WindowUpper);
}
