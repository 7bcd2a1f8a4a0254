namespace Persisters.Statistics.Numerics;

/// <summary>Small accurate elementary functions the BCL does not provide (double.LogP1 is computed as log(1 + x)).</summary>
internal static class MoreMath
{
    /// <summary>ln(1 + x) to a few ulps for every x &gt; -1 (Kahan's correction of the rounded 1 + x).</summary>
    public static double Log1p(double x)
    {
        var u = 1.0 + x;
        if (u == 1.0)
        {
            return x;
        }

        if (u <= 0.0)
        {
            return u == 0.0 ? double.NegativeInfinity : double.NaN;
        }

        return Math.Log(u) * (x / (u - 1.0));
    }

    /// <summary>e^x − 1 to a few ulps (Kahan's correction).</summary>
    public static double Expm1(double x)
    {
        var u = Math.Exp(x);
        if (u == 1.0)
        {
            return x;
        }

        var um1 = u - 1.0;
        if (um1 == -1.0)
        {
            return -1.0;
        }

        return double.IsPositiveInfinity(u) ? u : um1 * (x / Math.Log(u));
    }

    /// <summary>Replaces a non-finite number by <paramref name="fallback"/>; the calculator's last line of defence.</summary>
    public static double FiniteOr(double value, double fallback) => double.IsFinite(value) ? value : fallback;
}
