using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics.Numerics;

/// <summary>
/// Bucketeer's estimator without Stan: <c>draws</c> independent draws per arm from a seeded generator, the share
/// of draws where an arm is the largest / beats the baseline, the mean shortfall from the row maximum, and
/// linearly interpolated sample quantiles. For comparison only.
/// </summary>
internal sealed class MonteCarloEngine(int draws, int seed) : IComparisonEngine
{
    public string Method => $"monteCarlo(draws={draws}, seed={seed})";

    public ArmComparison Compare(IReadOnlyList<IPosterior> arms, int baseline)
    {
        var k = arms.Count;
        var random = new Sampling(seed);
        var samples = new double[k][];
        for (var j = 0; j < k; j++)
        {
            var column = new double[draws];
            for (var t = 0; t < draws; t++)
            {
                column[t] = arms[j].Sample(random);
            }

            samples[j] = column;
        }

        var best = new double[k];
        var beat = new double[k];
        var loss = new double[k];
        var lossSquares = new double[k];
        for (var t = 0; t < draws; t++)
        {
            var max = double.NegativeInfinity;
            for (var j = 0; j < k; j++)
            {
                max = Math.Max(max, samples[j][t]);
            }

            var baseValue = samples[baseline][t];
            for (var j = 0; j < k; j++)
            {
                var value = samples[j][t];
                if (value == max)
                {
                    best[j]++;
                }

                if (value > baseValue)
                {
                    beat[j]++;
                }

                loss[j] += max - value;
                lossSquares[j] += (max - value) * (max - value);
            }
        }

        var mean = new double[k];
        var sd = new double[k];
        var lossError = new double[k];
        var median = new double[k];
        var p025 = new double[k];
        var p975 = new double[k];
        for (var j = 0; j < k; j++)
        {
            best[j] /= draws;
            beat[j] /= draws;
            loss[j] /= draws;
            lossError[j] = Math.Sqrt(Math.Max(0.0, lossSquares[j] / draws - loss[j] * loss[j]) / draws);
            var column = samples[j];
            var m = column.Average();
            var ss = 0.0;
            foreach (var v in column)
            {
                ss += (v - m) * (v - m);
            }

            mean[j] = m;
            sd[j] = draws > 1 ? Math.Sqrt(ss / (draws - 1)) : 0.0;
            Array.Sort(column);
            median[j] = SortedQuantile(column, 0.5);
            p025[j] = SortedQuantile(column, 0.025);
            p975[j] = SortedQuantile(column, 0.975);
        }

        if (k == 1)
        {
            best[0] = 1.0;
        }

        return new ArmComparison(mean, sd, median, p025, p975, best, beat, loss, lossError);
    }

    /// <summary>Linear interpolation between order statistics at h = (N − 1)·p.</summary>
    internal static double SortedQuantile(double[] sorted, double p)
    {
        var h = (sorted.Length - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
