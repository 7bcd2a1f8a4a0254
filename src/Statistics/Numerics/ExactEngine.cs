using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics.Numerics;

/// <summary>The calculator's engine: exact values by quadrature (<see cref="PosteriorGrid"/>).</summary>
internal sealed class ExactEngine(GridSettings settings) : IComparisonEngine
{
    public static readonly ExactEngine Standard = new(GridSettings.Standard);

    public string Method => "exact";

    public ArmComparison Compare(IReadOnlyList<IPosterior> arms, int baseline)
    {
        var grid = new PosteriorGrid(arms, settings);
        var k = arms.Count;
        var median = new double[k];
        var p025 = new double[k];
        var p975 = new double[k];
        var beat = new double[k];
        for (var j = 0; j < k; j++)
        {
            median[j] = grid.Quantile(j, 0.5);
            p025[j] = grid.Quantile(j, 0.025);
            p975[j] = grid.Quantile(j, 0.975);
            beat[j] = j == baseline ? 0.0 : grid.ProbabilityGreater(j, baseline);
        }

        return new ArmComparison(
            arms.Select(a => a.Mean).ToArray(),
            arms.Select(a => a.StandardDeviation).ToArray(),
            median,
            p025,
            p975,
            grid.ProbabilityBest(),
            beat,
            grid.ExpectedLossVersusBest());
    }
}
