using Persisters.Statistics.Numerics;

namespace Persisters.Statistics.Posteriors;

/// <summary>A one-dimensional posterior that the quadrature grid can integrate and the Monte Carlo reference can sample.</summary>
internal interface IPosterior
{
    /// <summary>Lower end of the window that holds all but a negligible (&lt; 1e-17) share of the mass.</summary>
    double WindowLower { get; }

    /// <summary>Upper end of that window.</summary>
    double WindowUpper { get; }

    /// <summary>Exact mean.</summary>
    double Mean { get; }

    /// <summary>Where the density peaks; it decreases away from here (every posterior here is unimodal).</summary>
    double Mode { get; }

    /// <summary>Exact standard deviation.</summary>
    double StandardDeviation { get; }

    /// <summary>One draw, for the Monte Carlo reference only.</summary>
    double Sample(Sampling random);

    /// <summary>
    /// Log of the density up to an additive constant, 0 at the <see cref="Mode"/> so that
    /// <c>Math.Exp</c> never overflows. The grid normalises it numerically.
    /// </summary>
    double LogDensityRelative(double x);

    /// <summary>Panel boundaries this distribution needs to be integrated accurately, each with its local spacing.</summary>
    void AddBreakpoints(List<GridPoint> points);
}

/// <summary>A candidate panel boundary and the spacing its distribution needs around it.</summary>
internal readonly record struct GridPoint(double X, double Spacing);

internal static class Breakpoints
{
    // Offsets in standard deviations (or t scales) from the centre: fine near the mass, coarse in the tails.
    private static readonly double[] Core = [0, 1, 2, 3, 4, 5, 6.5, 8, 10, 13, 17, 23, 31, 40];

    public static readonly double CoreReach = Core[^1];

    /// <summary>
    /// Adds centre ± offset·scale for the core offsets and any tail offsets, clipped to [lower, upper], plus the
    /// clip points themselves.
    /// </summary>
    public static void AddAround(
        List<GridPoint> points, double centre, double scale, double lower, double upper, IReadOnlyList<double>? tail = null)
    {
        var offsets = new List<double>(2 * (Core.Length + (tail?.Count ?? 0)));
        foreach (var o in Core)
        {
            offsets.Add(o);
            if (o > 0)
            {
                offsets.Add(-o);
            }
        }

        if (tail is not null)
        {
            foreach (var o in tail)
            {
                offsets.Add(o);
                offsets.Add(-o);
            }
        }

        var xs = new List<double>(offsets.Count + 2) { lower, upper };
        foreach (var o in offsets)
        {
            var x = centre + o * scale;
            if (x > lower && x < upper)
            {
                xs.Add(x);
            }
        }

        xs.Sort();
        for (var i = 0; i < xs.Count; i++)
        {
            var left = i > 0 ? xs[i] - xs[i - 1] : double.PositiveInfinity;
            var right = i + 1 < xs.Count ? xs[i + 1] - xs[i] : double.PositiveInfinity;
            var spacing = Math.Min(left, right);
            if (double.IsPositiveInfinity(spacing))
            {
                spacing = scale;
            }

            points.Add(new GridPoint(xs[i], spacing));
        }
    }
}
