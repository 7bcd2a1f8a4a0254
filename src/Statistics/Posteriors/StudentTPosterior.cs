using MathNet.Numerics;
using Persisters.Statistics.Numerics;

namespace Persisters.Statistics.Posteriors;

/// <summary>
/// Location-scale Student-t: the exact marginal posterior of the mean under a Normal-Inverse-Gamma model
/// (location μn, scale √(βn / (αn κn)), 2αn degrees of freedom).
/// </summary>
public sealed class StudentTPosterior : IPosterior
{
    private const double LogNegligibleTail = -41.4; // ln(1e-18)
    private readonly double[] _tailOffsets;

    public StudentTPosterior(double location, double scale, double degreesOfFreedom)
    {
        if (!double.IsFinite(location) || !(scale > 0.0) || !double.IsFinite(scale) || !(degreesOfFreedom > 2.0)
            || !double.IsFinite(degreesOfFreedom))
        {
            throw new ArgumentOutOfRangeException(
                nameof(scale),
                $"Need a finite location, a finite scale > 0 and finite dof > 2 (got {location}, {scale}, {degreesOfFreedom}).");
        }

        Location = location;
        Scale = scale;
        DegreesOfFreedom = degreesOfFreedom;
        StandardDeviation = scale * Math.Sqrt(degreesOfFreedom / (degreesOfFreedom - 2.0));
        _tailOffsets = TailOffsets(degreesOfFreedom);
        var reach = _tailOffsets.Length > 0 ? _tailOffsets[^1] : Breakpoints.CoreReach;
        WindowLower = location - reach * scale;
        WindowUpper = location + reach * scale;
    }

    public double Location { get; }

    public double Scale { get; }

    public double DegreesOfFreedom { get; }

    public double Mean => Location;

    public double Mode => Location;

    public double StandardDeviation { get; }

    public double WindowLower { get; }

    public double WindowUpper { get; }

    public double LogDensityRelative(double x)
    {
        var z = (x - Location) / Scale;
        return -0.5 * (DegreesOfFreedom + 1.0) * MoreMath.Log1p(z * z / DegreesOfFreedom);
    }

    /// <summary>
    /// The reference's draw μn + z/√(τκn), τ ~ Gamma(αn, rate βn), written as μ + scale·z·√(α/G), G ~ Gamma(α, 1),
    /// α = ν/2: the same distribution.
    /// </summary>
    double IPosterior.Sample(Sampling random)
    {
        var alpha = 0.5 * DegreesOfFreedom;
        return Location + Scale * random.Normal() * Math.Sqrt(alpha / random.Gamma(alpha));
    }

    void IPosterior.AddBreakpoints(List<GridPoint> points) =>
        Breakpoints.AddAround(points, Location, Scale, WindowLower, WindowUpper, _tailOffsets);

    /// <summary>
    /// Geometric offsets beyond the core reach until the tail mass is below 1e-18. The bound used is
    /// P(T &gt; z) ≤ c·ν/((ν−1)z)·(1 + z²/ν)^(−(ν−1)/2), which follows from t·f(t) being an exact derivative.
    /// </summary>
    private static double[] TailOffsets(double nu)
    {
        var logC = SpecialFunctions.GammaLn(0.5 * (nu + 1.0)) - SpecialFunctions.GammaLn(0.5 * nu)
                   - 0.5 * Math.Log(nu * Math.PI);
        double LogTail(double z) =>
            logC + Math.Log(nu / (nu - 1.0)) - Math.Log(z) - 0.5 * (nu - 1.0) * MoreMath.Log1p(z * z / nu);

        var offsets = new List<double>();
        var zMax = Breakpoints.CoreReach;
        while (LogTail(zMax) > LogNegligibleTail && zMax < 1e12)
        {
            zMax *= 1.5;
            offsets.Add(zMax);
        }

        return [.. offsets];
    }
}
