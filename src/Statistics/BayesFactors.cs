using MathNet.Numerics;

namespace Persisters.Statistics;

/// <summary>Sequential Bayes factors of a treatment against the baseline (reference §9.3 step 5).</summary>
public static class BayesFactors
{
    /// <summary>Stop threshold: any non-baseline factor at or above it makes the goal safe to stop.</summary>
    public const double SafeToStopThreshold = 20.0;

    /// <summary>The value factor needs at least this many goal users in each arm.</summary>
    public const long MinimumValueUsers = 30;

    /// <summary>
    /// BF10 = B(sA+1, nA−sA+1) · B(sB+1, nB−sB+1) / B(sA+sB+1, nA+nB−sA−sB+1) in log space: independent uniform
    /// rates against one shared rate (the binomial coefficients cancel). 1 when either n ≤ 0 or 0 ≤ s ≤ n fails.
    /// </summary>
    public static double Conversion(long baselineGoalUsers, long baselineUsers, long goalUsers, long users)
    {
        if (baselineUsers <= 0 || users <= 0 || baselineGoalUsers < 0 || goalUsers < 0
            || baselineGoalUsers > baselineUsers || goalUsers > users)
        {
            return 1.0;
        }

        double sA = baselineGoalUsers, fA = baselineUsers - baselineGoalUsers, sB = goalUsers, fB = users - goalUsers;
        var log = SpecialFunctions.BetaLn(sA + 1, fA + 1) + SpecialFunctions.BetaLn(sB + 1, fB + 1)
                  - SpecialFunctions.BetaLn(sA + sB + 1, fA + fB + 1);
        return FromLog(log);
    }

    /// <summary>
    /// With n ≥ 30 per arm and SE² = varA/nA + varB/nB &gt; 0: t = (meanB − meanA)/SE, n_eff = nA·nB/(nA+nB), r = 1,
    /// BF = √(1/(1 + n_eff r²)) · exp(t² n_eff r² / (2(1 + n_eff r²))); otherwise 1.
    /// </summary>
    public static double Value(
        long baselineUsers, double baselineMean, double baselineVariance, long users, double mean, double variance)
    {
        if (baselineUsers < MinimumValueUsers || users < MinimumValueUsers)
        {
            return 1.0;
        }

        var se2 = baselineVariance / baselineUsers + variance / users;
        if (!(se2 > 0) || !double.IsFinite(se2))
        {
            return 1.0;
        }

        var t = (mean - baselineMean) / Math.Sqrt(se2);
        var nEff = (double)baselineUsers * users / ((double)baselineUsers + users);
        const double r = 1.0;
        var spread = 1.0 + nEff * r * r;
        // t² n_eff r² / (2(1 + n_eff r²)) as a square, so a large but finite t does not overflow t² on the way.
        var z = t * Math.Sqrt(nEff * r * r / (2.0 * spread));
        var log = -0.5 * Math.Log(spread) + z * z;
        return FromLog(log);
    }

    private static double FromLog(double log)
    {
        // As the reference: an undefined log gives 1, an overflowing factor is clamped; so is an overflowing log (the
        // reference gives 1 there, which would say "no evidence" exactly where the evidence is largest).
        if (double.IsNaN(log) || double.IsNegativeInfinity(log))
        {
            return 1.0;
        }

        if (double.IsPositiveInfinity(log))
        {
            return double.MaxValue;
        }

        var value = Math.Exp(log);
        return double.IsFinite(value) ? value : double.MaxValue;
    }
}
