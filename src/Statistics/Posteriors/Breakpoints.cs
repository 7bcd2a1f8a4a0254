namespace Persisters.Statistics.Posteriors;

/// <summary>Panel boundaries around a posterior's centre, each with its spacing: what <see cref="IPosterior.AddBreakpoints"/> implementations add.</summary>
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
