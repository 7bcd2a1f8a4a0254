using Persisters.Statistics.Numerics;
using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics.Tests;

public class When_the_quadrature_grid_is_refined
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void random_experiments_move_by_less_than_the_documented_error(int seed)
    {
        // Mixed scales on purpose: 0/0, x = 0, x = n, 10 to 10⁷ users, Student-t posteriors with 3 to 10⁶ dof.
        var random = new Random(seed);
        for (var trial = 0; trial < 25; trial++)
        {
            var studentT = trial % 3 == 2;
            var arms = Enumerable.Range(0, 2 + random.Next(4)).Select(_ => studentT ? RandomT(random) : RandomBeta(random)).ToList();
            var standard = new ExactEngine(GridSettings.Standard).Compare(arms, 0);
            var fine = new ExactEngine(GridSettings.Fine).Compare(arms, 0);
            var label = string.Join(", ", arms.Select(Describe));
            for (var i = 0; i < arms.Count; i++)
            {
                Near.Equal(fine.ProbBest[i], standard.ProbBest[i], ExperimentCalculator.ExactAbsoluteError, $"P(best) [{label}]");
                Near.Equal(fine.ProbBeatBaseline[i], standard.ProbBeatBaseline[i], ExperimentCalculator.ExactAbsoluteError, $"P(beat) [{label}]");
                var unit = studentT ? arms[i].StandardDeviation : 1.0;
                if (!studentT)
                {
                    // Expected loss is reported for conversion only (as in the reference).
                    Near.Equal(fine.ExpectedLoss[i], standard.ExpectedLoss[i], ExperimentCalculator.ExactAbsoluteError, $"loss [{label}]");
                }

                Near.Equal(fine.Median[i] / unit, standard.Median[i] / unit, ExperimentCalculator.ExactAbsoluteError, $"median [{label}]");
                Near.Equal(fine.P025[i] / unit, standard.P025[i] / unit, ExperimentCalculator.ExactAbsoluteError, $"p025 [{label}]");
                Near.Equal(fine.P975[i] / unit, standard.P975[i] / unit, ExperimentCalculator.ExactAbsoluteError, $"p975 [{label}]");
            }

            Near.Equal(1.0, standard.ProbBest.Sum(), ExperimentCalculator.ExactAbsoluteError, $"Σ P(best) [{label}]");
        }
    }

    private static IPosterior RandomBeta(Random random)
    {
        var n = random.Next(10) == 0 ? 0 : (long)Math.Pow(10, 1 + 6 * random.NextDouble());
        var x = random.Next(5) switch { 0 => 0, 1 => n, _ => (long)(n * 0.6 * random.NextDouble()) };
        return BetaPosterior.FromCounts(x, n);
    }

    private static IPosterior RandomT(Random random) =>
        new StudentTPosterior(10 * random.NextDouble(), Math.Pow(10, 3 * random.NextDouble() - 2), 3 + Math.Pow(10, 6 * random.NextDouble()));

    private static string Describe(IPosterior p) => p switch
    {
        BetaPosterior b => $"Beta({b.Alpha}, {b.Beta})",
        StudentTPosterior t => $"t({t.Location:G4}, {t.Scale:G4}, {t.DegreesOfFreedom:G4})",
        _ => p.ToString() ?? "",
    };
}
