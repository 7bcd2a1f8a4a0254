using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics;

/// <summary>Normal-Inverse-Gamma prior (μ0, κ0, α0, β0) on a variation's mean value per user and its variance.</summary>
public sealed record NigPrior(double Mu0, double Kappa0, double Alpha0, double Beta0)
{
    public static readonly NigPrior Vague = new(0, 1, 1, 1);
}

/// <summary>Posterior NIG parameters of one variation.</summary>
public sealed record NigPosterior(double MuN, double KappaN, double AlphaN, double BetaN)
{
    /// <summary>The exact marginal posterior of the mean: Student-t(2αn) at μn with scale √(βn / (αn κn)).</summary>
    public StudentTPosterior MarginalOfMean() =>
        new(MuN, Math.Sqrt(BetaN / (AlphaN * KappaN)), 2.0 * AlphaN);

    public bool IsFinite =>
        double.IsFinite(MuN) && double.IsFinite(KappaN) && double.IsFinite(AlphaN) && double.IsFinite(BetaN)
        && KappaN > 0 && AlphaN > 1 && BetaN > 0 && double.IsFinite(Math.Sqrt(BetaN / (AlphaN * KappaN)))
        && Math.Sqrt(BetaN / (AlphaN * KappaN)) > 0;
}

/// <summary>Per-variation sufficient statistics of the winsorised value per user.</summary>
public readonly record struct ValueSample(long Users, double Mean, double Variance);

/// <summary>The value-per-user model of reference §9.3 step 4.</summary>
public static class NormalInverseGamma
{
    /// <summary>
    /// Empirical-Bayes prior: μ0 = user-weighted mean of the variation means (n ≤ 0 or non-finite means ignored),
    /// κ0 = α0 = 1, β0 = pooled variance Σ(n−1)s² / Σ(n−1) over variations with n &gt; 1 and a finite s² ≥ 0.
    /// No usable n gives (0, 1, 1, 1); no pooled degrees of freedom or a pooled variance ≤ 0 gives (μ0, 1, 1, 1).
    /// </summary>
    public static NigPrior EmpiricalBayesPrior(IEnumerable<ValueSample> samples)
    {
        var list = samples.ToList();
        var means = list.Where(s => s.Users > 0 && double.IsFinite(s.Mean)).ToList();
        var users = means.Sum(s => (double)s.Users);
        if (users <= 0)
        {
            return NigPrior.Vague;
        }

        var mu0 = WeightedMean(means.Select(s => ((double)s.Users, s.Mean)).ToList(), users);
        if (!double.IsFinite(mu0))
        {
            return NigPrior.Vague;
        }

        var variances = list.Where(s => s.Users > 1 && double.IsFinite(s.Variance) && s.Variance >= 0).ToList();
        var pooledDof = variances.Sum(s => s.Users - 1.0);
        if (pooledDof <= 0)
        {
            return new NigPrior(mu0, 1, 1, 1);
        }

        var pooled = WeightedMean(variances.Select(s => (s.Users - 1.0, s.Variance)).ToList(), pooledDof);
        return pooled > 0 && double.IsFinite(pooled) ? new NigPrior(mu0, 1, 1, pooled) : new NigPrior(mu0, 1, 1, 1);
    }

    /// <summary>
    /// Σ wᵢxᵢ / W; when the plain sum overflows (huge finite means or variances), Σ (wᵢ/W)·xᵢ instead, which stays in
    /// range whenever the result does. Ordinary inputs keep the plain formula's exact double result.
    /// </summary>
    private static double WeightedMean(IReadOnlyList<(double Weight, double Value)> terms, double totalWeight)
    {
        var plain = terms.Sum(t => t.Weight * t.Value) / totalWeight;
        return double.IsFinite(plain) ? plain : terms.Sum(t => t.Weight / totalWeight * t.Value);
    }

    /// <summary>
    /// κn = κ0 + n, μn = (κ0μ0 + n x̄)/κn, αn = α0 + n/2,
    /// βn = β0 + ½(n−1)s² (only when n &gt; 1) + κ0 n (x̄ − μ0)² / (2κn).
    /// </summary>
    public static NigPosterior Posterior(NigPrior prior, ValueSample sample)
    {
        var n = (double)sample.Users;
        var kappaN = prior.Kappa0 + n;
        var muN = (prior.Kappa0 * prior.Mu0 + n * sample.Mean) / kappaN;
        if (!double.IsFinite(muN))
        {
            muN = prior.Kappa0 / kappaN * prior.Mu0 + n / kappaN * sample.Mean; // weights, not sums: in range when μn is
        }

        var alphaN = prior.Alpha0 + 0.5 * n;
        var deviation = sample.Mean - prior.Mu0;
        var spread = sample.Users > 1 ? 0.5 * (n - 1) * sample.Variance : 0.0;
        var betaN = prior.Beta0 + spread + prior.Kappa0 * n * deviation * deviation / (2.0 * kappaN);
        if (!double.IsFinite(betaN))
        {
            // κ0 n (x̄ − μ0)² / (2κn) as the square of a scaled deviation: beyond range only when βn itself is.
            var scaled = deviation * Math.Sqrt(prior.Kappa0 * n / (2.0 * kappaN));
            betaN = prior.Beta0 + spread + scaled * scaled;
        }

        return new NigPosterior(muN, kappaN, alphaN, betaN);
    }
}
