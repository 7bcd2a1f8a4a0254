using MathNet.Numerics.Distributions;
using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics.Tests;

public class When_the_value_model_runs
{
    [Fact]
    public void the_empirical_bayes_prior_is_the_weighted_mean_and_pooled_variance()
    {
        // μ0 = (10·2 + 30·3) / 40 = 110/40 = 2.75; β0 = (9·4 + 29·9) / (9 + 29) = 297/38.
        var prior = NormalInverseGamma.EmpiricalBayesPrior([new ValueSample(10, 2, 4), new ValueSample(30, 3, 9)]);
        Assert.Equal(new NigPrior(2.75, 1, 1, 297.0 / 38.0), prior);
    }

    [Fact]
    public void huge_finite_means_and_variances_give_their_weighted_means_not_the_vague_fallback()
    {
        // Σ n·mean = 2·10³·1e306 and Σ (n−1)s² overflow; the weighted means themselves are in range.
        var prior = NormalInverseGamma.EmpiricalBayesPrior([new ValueSample(1000, 1e306, 1e306), new ValueSample(1000, 1e306, 1e306)]);
        Assert.Equal(new NigPrior(1e306, 1, 1, 1e306), prior);

        // κ0μ0 + n x̄ overflows too; μn = 1e306 does not.
        var posterior = NormalInverseGamma.Posterior(new NigPrior(1e306, 1, 1, 1e300), new ValueSample(1000, 1e306, 1e300));
        Assert.True(posterior.IsFinite);
        Assert.Equal(1e306, posterior.MuN, 1e293);
    }

    [Fact]
    public void the_prior_falls_back_as_the_reference_does()
    {
        // No usable n → (0, 1, 1, 1).
        Assert.Equal(NigPrior.Vague, NormalInverseGamma.EmpiricalBayesPrior([new ValueSample(0, 5, 1)]));
        // Only single-user variations: no pooled degrees of freedom → (μ0, 1, 1, 1) with μ0 = (4 + 8)/2.
        Assert.Equal(new NigPrior(6, 1, 1, 1), NormalInverseGamma.EmpiricalBayesPrior([new ValueSample(1, 4, 0), new ValueSample(1, 8, 0)]));
        // Pooled variance 0 → (μ0, 1, 1, 1).
        Assert.Equal(new NigPrior(3, 1, 1, 1), NormalInverseGamma.EmpiricalBayesPrior([new ValueSample(5, 3, 0), new ValueSample(5, 3, 0)]));
    }

    [Fact]
    public void the_posterior_follows_the_conjugate_update()
    {
        // Prior (2.75, 1, 1, 297/38), data n = 10, x̄ = 2, s² = 4:
        // κn = 11; μn = (2.75 + 20)/11 = 22.75/11; αn = 1 + 5 = 6;
        // βn = 297/38 + ½·9·4 + 1·10·(2 − 2.75)²/(2·11) = 297/38 + 18 + 5.625/22.
        var posterior = NormalInverseGamma.Posterior(new NigPrior(2.75, 1, 1, 297.0 / 38.0), new ValueSample(10, 2, 4));
        Near.Equal(11, posterior.KappaN, 0);
        Near.Equal(22.75 / 11, posterior.MuN, 1e-15);
        Near.Equal(6, posterior.AlphaN, 0);
        Near.Equal(297.0 / 38.0 + 18 + 5.625 / 22, posterior.BetaN, 1e-14);

        // Marginal of the mean: t with 12 dof, scale √(βn / (αn κn)).
        var t = posterior.MarginalOfMean();
        Assert.Equal(12, t.DegreesOfFreedom);
        Near.Equal(Math.Sqrt(posterior.BetaN / (6 * 11)), t.Scale, 1e-15);
    }

    [Theory]
    [InlineData(3.0, 1.0, 2.0)]
    [InlineData(4.0, 0.0, 1.0)]
    [InlineData(12.0, 5.0, 0.1)]
    [InlineData(2000.0, 3.0, 0.01)]
    public void student_t_quantiles_invert_an_independent_cdf_even_with_heavy_tails(double dof, double location, double scale)
    {
        var t = new StudentTPosterior(location, scale, dof);
        foreach (var p in new[] { 0.025, 0.5, 0.975, 1e-4 })
        {
            var q = PosteriorComparison.Quantile(t, p);
            Near.Equal(p, StudentT.CDF(location, scale, dof, q), 1e-12, $"F(q({p}))");
        }
    }

    [Fact]
    public void identical_value_posteriors_are_a_coin_flip()
    {
        var t = new StudentTPosterior(0, 1, 3);
        Near.Equal(0.5, PosteriorComparison.ProbabilityGreater(t, new StudentTPosterior(0, 1, 3)), 1e-13);
    }

    [Fact]
    public void value_probabilities_agree_with_a_million_nig_draws()
    {
        const int draws = 1_000_000;
        var arms = new[] { new StudentTPosterior(10, 0.8, 40), new StudentTPosterior(11, 0.9, 6), new StudentTPosterior(10.5, 2, 4) };
        var mc = MonteCarloReference.CompareStudentT(arms, baseline: 0, draws, seed: 99);
        for (var i = 1; i < arms.Length; i++)
        {
            var p = PosteriorComparison.ProbabilityGreater(arms[i], arms[0]);
            Near.WithinStandardErrors(p, mc.ProbBeatBaseline[i], Math.Sqrt(p * (1 - p) / draws), 4, $"P(beat) of arm {i}");
        }
    }

    [Fact]
    public void the_calculator_reports_the_value_posterior_when_every_variation_has_values()
    {
        var result = ExperimentCalculator.Calculate(
        [
            new VariationCounts("A", true, 1000, 100, 120, 1000, 10, 25),
            new VariationCounts("B", false, 1000, 110, 130, 1320, 12, 30),
        ]);

        Assert.True(result.ValueModel.Computed);
        var prior = result.ValueModel.Prior!;
        Near.Equal((100 * 10 + 110 * 12) / 210.0, prior.Mu0, 1e-12, "μ0");
        Near.Equal((99 * 25 + 109 * 30) / 208.0, prior.Beta0, 1e-12, "β0");

        var (a, b) = (result.Variations[0].Value!, result.Variations[1].Value!);
        var posteriorB = NormalInverseGamma.Posterior(prior, new ValueSample(110, 12, 30)).MarginalOfMean();
        Near.Equal(posteriorB.Location, b.Median, 1e-12, "median of a symmetric t");
        Near.Equal(PosteriorComparison.ProbabilityGreater(posteriorB, NormalInverseGamma.Posterior(prior, new ValueSample(100, 10, 25)).MarginalOfMean()), b.ProbBeatBaseline, 1e-14);
        Near.Equal(1.0, a.ProbBest + b.ProbBest, 1e-12, "Σ P(best)");
        Assert.Equal(0.0, a.ProbBeatBaseline);
        Assert.Equal(1.0, a.BayesFactor);
        Assert.True(b.ProbBeatBaseline > 0.95);
        Assert.Equal("B", Assert.Single(result.Summary.BestVariationsValue).Id);
    }

    [Theory]
    [InlineData(0, 10, 25, "no goal users")]
    [InlineData(100, 0, 25, "value mean of 0")]
    [InlineData(100, 10, 0, "value variance of 0")]
    public void the_value_model_is_skipped_with_a_reason(long goalUsers, double mean, double variance, string reason)
    {
        var result = ExperimentCalculator.Calculate(
        [
            new VariationCounts("A", true, 1000, 100, 120, 1000, 10, 25),
            new VariationCounts("B", false, 1000, goalUsers, goalUsers, mean * goalUsers, mean, variance),
        ]);

        Assert.Equal(CalculationStatus.Computed, result.Status);
        Assert.False(result.ValueModel.Computed);
        Assert.Contains(reason, result.ValueModel.Reason!, StringComparison.Ordinal);
        Assert.Contains("'B'", result.ValueModel.Reason!, StringComparison.Ordinal);
        Assert.All(result.Variations, v => Assert.Null(v.Value));
        Assert.False(result.Summary.ValueSafeToStop);
    }
}
