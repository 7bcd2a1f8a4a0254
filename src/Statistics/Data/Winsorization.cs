namespace Persisters.Statistics.Data;

/// <summary>One user's goal activity under one variation (reference §9.2 goal step 1).</summary>
public readonly record struct UserGoalRow(string VariationId, long EventCount, double ValueSum);

/// <summary>Per-variation goal counts after the value cap (reference §9.2 goal step 3).</summary>
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

        if (perUserValueSums.Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("Per-user value sums must be finite.", nameof(perUserValueSums));
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
    /// Variations are returned in first-seen order.
    /// </summary>
    public static IReadOnlyList<VariationGoalTotals> Summarise(IReadOnlyList<UserGoalRow> rows, int percentile = DefaultPercentile)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var cap = Cap(rows.Select(r => r.ValueSum).ToList(), percentile);
        var result = new List<VariationGoalTotals>();
        foreach (var group in rows.GroupBy(r => r.VariationId, StringComparer.Ordinal))
        {
            var values = group.Select(r => Math.Min(r.ValueSum, cap!.Value)).ToArray();
            var mean = values.Average();
            var variance = 0.0;
            if (values.Length > 1)
            {
                var ss = 0.0;
                foreach (var v in values)
                {
                    ss += (v - mean) * (v - mean);
                }

                variance = ss / (values.Length - 1);
            }

            result.Add(new VariationGoalTotals(
                group.Key, values.Length, group.Sum(r => r.EventCount), values.Sum(), mean, variance));
        }

        return result;
    }
}
