using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics.Tests;

public class When_several_variations_compete
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void identical_arms_are_each_best_with_probability_one_over_k(int k)
    {
        var arms = Enumerable.Range(0, k).Select(_ => BetaPosterior.FromCounts(380, 1010)).ToList();
        foreach (var p in PosteriorComparison.ProbabilityBest(arms))
        {
            Near.Equal(1.0 / k, p, 1e-12);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void the_expected_loss_of_uniform_arms_is_k_over_k_plus_one_minus_a_half(int k)
    {
        // The max of k independent uniforms has mean k/(k+1); each arm's mean is 1/2.
        var arms = Enumerable.Range(0, k).Select(_ => new BetaPosterior(1, 1)).ToList();
        foreach (var loss in PosteriorComparison.ExpectedLoss(arms))
        {
            Near.Equal(k / (k + 1.0) - 0.5, loss, 1e-13);
        }
    }

    [Fact]
    public void the_expected_loss_of_zero_conversion_arms_at_ten_million_users_matches_its_closed_form()
    {
        // F_i(x) = 1 − (1−x)^b_i, so E[max] = ∫ 1 − F1 F2 = 1/(b1+1) + 1/(b2+1) − 1/(b1+b2+1); loss_i = E[max] − 1/(b_i+1).
        var a = BetaPosterior.FromCounts(0, 10_000_000);
        var b = BetaPosterior.FromCounts(0, 20_000_000);
        var expectedMax = BetaClosedForms.ExpectedMaxOfZeroConversionArms(a.Beta, b.Beta);
        var loss = PosteriorComparison.ExpectedLoss([a, b]);

        // The losses are about 1e-8, so check them relatively as well.
        Near.Equal(expectedMax - a.Mean, loss[0], 1e-12 * (expectedMax - a.Mean), "loss of A");
        Near.Equal(expectedMax - b.Mean, loss[1], 1e-12 * (expectedMax - b.Mean), "loss of B");
    }

    [Fact]
    public void probabilities_of_being_best_add_up_to_one_and_match_the_pairwise_value_for_two_arms()
    {
        var arms = new[]
        {
            BetaPosterior.FromCounts(120, 1000), BetaPosterior.FromCounts(131, 1000), BetaPosterior.FromCounts(2, 30),
            BetaPosterior.FromCounts(30_100, 250_000), BetaPosterior.FromCounts(0, 0),
        };
        Near.Equal(1.0, PosteriorComparison.ProbabilityBest(arms).Sum(), 1e-12, "Σ P(best)");

        var pair = PosteriorComparison.ProbabilityBest([arms[0], arms[1]]);
        Near.Equal(PosteriorComparison.ProbabilityGreater(arms[1], arms[0]), pair[1], 1e-13);
    }

    [Fact]
    public void a_million_seeded_draws_agree_with_the_exact_values_within_four_standard_errors()
    {
        const int draws = 1_000_000;
        var arms = new[] { BetaPosterior.FromCounts(380, 1010), BetaPosterior.FromCounts(410, 990), BetaPosterior.FromCounts(395, 1000) };
        var mc = MonteCarloReference.CompareBetas(arms, baseline: 0, draws, seed: 20240601);
        var best = PosteriorComparison.ProbabilityBest(arms);
        var loss = PosteriorComparison.ExpectedLoss(arms);
        for (var i = 0; i < arms.Length; i++)
        {
            double ProportionError(double p) => Math.Sqrt(p * (1 - p) / draws);
            Near.WithinStandardErrors(best[i], mc.ProbBest[i], ProportionError(best[i]), 4, $"P(best) of arm {i}");
            if (i > 0)
            {
                var beat = PosteriorComparison.ProbabilityGreater(arms[i], arms[0]);
                Near.WithinStandardErrors(beat, mc.ProbBeatBaseline[i], ProportionError(beat), 4, $"P(beat) of arm {i}");
            }

            Near.WithinStandardErrors(loss[i], mc.ExpectedLoss[i], mc.ExpectedLossStandardError[i], 4, $"loss of arm {i}");

            // A sample p-quantile has standard error √(p(1−p)/N) / f(q).
            foreach (var (p, estimate) in new[] { (0.025, mc.P025[i]), (0.5, mc.Median[i]), (0.975, mc.P975[i]) })
            {
                var q = PosteriorComparison.Quantile(arms[i], p);
                var density = MathNet.Numerics.Distributions.Beta.PDF(arms[i].Alpha, arms[i].Beta, q);
                Near.WithinStandardErrors(q, estimate, ProportionError(p) / density, 4, $"quantile {p} of arm {i}");
            }

            Near.WithinStandardErrors(arms[i].Mean, mc.Mean[i], arms[i].StandardDeviation / Math.Sqrt(draws), 4, $"mean of arm {i}");
        }
    }
}
