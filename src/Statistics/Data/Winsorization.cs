namespace Persisters.Statistics.Data;

/// <summary>One user's goal activity under one variation (reference §9.2 goal step 1).</summary>
/// <param name="VariationId">The variation the user saw.</param>
/// <param name="EventCount">The user's goal events.</param>
/// <param name="ValueSum">
/// The user's summed goal values, exactly rounded to double; ±Infinity when the exact sum is beyond double range
/// (two events of 1e308). Never NaN.
/// </param>
public readonly record struct UserGoalRow(string VariationId, long EventCount, double ValueSum);

/// <summary>Per-variation goal counts after the value cap (reference §9.2 goal step 3).</summary>
/// <remarks>
/// <see cref="ValueSum"/>, <see cref="ValueMean"/> and <see cref="ValueVariance"/> are ±Infinity when the statistic is
/// beyond double range and NaN when it is undefined (users beyond range in both directions); the value model is then
/// skipped with a reason (<see cref="ExperimentCalculator"/>).
/// </remarks>
public sealed record VariationGoalTotals(
    string VariationId, long UserCount, long EventCount, double ValueSum, double ValueMean, double ValueVariance);

/// <summary>The 99th-percentile cap on per-user value sums, with the semantics of SQL's NTILE(100).</summary>
public static class Winsorization
{
    /// <summary>Bucketeer's <c>DefaultValueCapPercentile</c>.</summary>
    public const int DefaultPercentile = 99;

    /// <summary>
    /// The largest value among the rows whose NTILE(100) OVER (ORDER BY value) is ≤ percentile, or null for no rows.
    /// NTILE(100) gives the first N mod 100 tiles ⌊N/100⌋ + 1 rows and the others ⌊N/100⌋, so tiles 1..P hold the
    /// <see cref="RowsInFirstTiles"/> smallest rows; for P = 99 that is N − ⌊N/100⌋ rows (every row when N &lt; 100).
    /// Sums beyond double range (±Infinity) sort at the ends, so a cap over them is finite whenever they are among
    /// the top rows it excludes, and +Infinity when they are not (fewer than 100 rows). NaN is refused.
    /// </summary>
    public static double? Cap(IReadOnlyList<double> perUserValueSums, int percentile = DefaultPercentile)
    {
        ArgumentNullException.ThrowIfNull(perUserValueSums);
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var n = perUserValueSums.Count;
        if (n == 0)
        {
            return null;
        }

        if (perUserValueSums.Any(double.IsNaN))
        {
            throw new ArgumentException("Per-user value sums must not be NaN.", nameof(perUserValueSums));
        }

        var kept = RowsInFirstTiles(n, percentile);
        var sorted = perUserValueSums.ToArray();
        Array.Sort(sorted);
        return sorted[kept - 1];
    }

    /// <summary>How many of n ordered rows NTILE(100) puts in tiles 1..percentile.</summary>
    public static int RowsInFirstTiles(int n, int percentile)
    {
        var q = n / 100;
        var r = n % 100; // tiles 1..r hold q + 1 rows, the rest q rows
        return percentile <= r ? percentile * (q + 1) : percentile * q + r;
    }

    /// <summary>
    /// Caps every row at <see cref="Cap"/> (computed over all rows of the goal, across variations) and aggregates
    /// per variation: distinct users, events, capped sum, AVG and VAR_SAMP (0 for fewer than two users).
    /// Variations are returned in first-seen order. The sums are taken in a power-of-two scaled domain, so they
    /// never overflow on the way and give exactly the plain double results whenever those are finite.
    /// </summary>
    public static IReadOnlyList<VariationGoalTotals> Summarise(IReadOnlyList<UserGoalRow> rows, int percentile = DefaultPercentile)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var cap = Cap(rows.Select(r => r.ValueSum).ToList(), percentile);
        var result = new List<VariationGoalTotals>();
        foreach (var group in rows.GroupBy(r => r.VariationId, StringComparer.Ordinal))
        {
            var values = group.Select(r => Math.Min(r.ValueSum, cap!.Value)).ToArray();
            var (sum, mean, variance) = SumMeanVariance(values);
            result.Add(new VariationGoalTotals(group.Key, values.Length, group.Sum(r => r.EventCount), sum, mean, variance));
        }

        return result;
    }

    /// <summary>
    /// Σx, Σx/n and Σ(x − mean)²/(n − 1) (0 for n &lt; 2) of finite or infinite values, computed on x·2^−e where 2^e is
    /// the largest value's binade: scaling by a power of two is exact, so each result equals the unscaled double
    /// computation where that is finite, and is ±Infinity (NaN for +∞ with −∞) where the exact result is beyond range.
    /// </summary>
    internal static (double Sum, double Mean, double Variance) SumMeanVariance(double[] values)
    {
        var n = values.Length;
        if (n == 0)
        {
            return (0, 0, 0);
        }

        if (values.Any(v => !double.IsFinite(v)))
        {
            var positive = values.Any(double.IsPositiveInfinity);
            var negative = values.Any(double.IsNegativeInfinity);
            var total = positive && negative ? double.NaN : positive ? double.PositiveInfinity : double.NegativeInfinity;
            return (total, total, n > 1 ? double.PositiveInfinity : 0);
        }

        var largest = values.Max(Math.Abs);
        var e = largest > 0 ? Math.ILogB(largest) : 0;
        double scaledSum = 0;
        foreach (var v in values)
        {
            scaledSum += Math.ScaleB(v, -e);
        }

        var scaledMean = scaledSum / n;
        var variance = 0.0;
        if (n > 1)
        {
            var ss = 0.0;
            foreach (var v in values)
            {
                var d = Math.ScaleB(v, -e) - scaledMean;
                ss += d * d;
            }

            variance = Math.ScaleB(ss / (n - 1), 2 * e);
        }

        return (Math.ScaleB(scaledSum, e), Math.ScaleB(scaledMean, e), variance);
    }
}
