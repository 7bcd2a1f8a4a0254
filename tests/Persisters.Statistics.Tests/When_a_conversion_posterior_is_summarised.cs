using MathNet.Numerics;
using Persisters.Statistics.Numerics;
using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics.Tests;

public class When_a_conversion_posterior_is_summarised
{
    [Fact]
    public void no_data_gives_the_uniform_prior()
    {
        var uniform = BetaPosterior.FromCounts(0, 0);
        Near.Equal(0.5, uniform.Mean, 0);
        Near.Equal(Math.Sqrt(1.0 / 12.0), uniform.StandardDeviation, 1e-16);
        Near.Equal(0.5, PosteriorComparison.Quantile(uniform, 0.5), 1e-15);
        Near.Equal(0.025, PosteriorComparison.Quantile(uniform, 0.025), 1e-15);
        Near.Equal(0.975, PosteriorComparison.Quantile(uniform, 0.975), 1e-15);
    }

    [Fact]
    public void one_conversion_out_of_one_has_quantiles_root_p()
    {
        // Beta(2,1): F(x) = x², so the p-quantile is √p.
        var posterior = BetaPosterior.FromCounts(1, 1);
        foreach (var p in new[] { 0.025, 0.5, 0.975 })
        {
            Near.Equal(Math.Sqrt(p), PosteriorComparison.Quantile(posterior, p), 1e-15, $"q({p})");
        }
    }

    [Theory]
    [InlineData(0.025)]
    [InlineData(0.5)]
    [InlineData(0.975)]
    public void no_conversions_among_ten_million_users_have_closed_form_quantiles(double p)
    {
        // Beta(1, b): F(x) = 1 − (1−x)^b, so q = 1 − (1−p)^(1/b) = −expm1(log1p(−p)/b).
        var posterior = BetaPosterior.FromCounts(0, 10_000_000);
        var expected = -MoreMath.Expm1(MoreMath.Log1p(-p) / posterior.Beta);
        Near.Equal(expected, PosteriorComparison.Quantile(posterior, p), 1e-12 * expected);
    }

    [Theory]
    [InlineData(0.025)]
    [InlineData(0.5)]
    [InlineData(0.975)]
    public void every_one_of_ten_million_users_converting_has_closed_form_quantiles(double p)
    {
        // Beta(a, 1): F(x) = x^a, so q = p^(1/a). Doubles near 1 are 1.1e-16 apart (1e-9 sd here), so allow 1e-7 sd.
        var posterior = BetaPosterior.FromCounts(10_000_000, 10_000_000);
        Near.Equal(Math.Exp(Math.Log(p) / posterior.Alpha), PosteriorComparison.Quantile(posterior, p), 1e-7 * posterior.StandardDeviation);
    }

    [Fact]
    public void half_of_ten_million_users_converting_is_symmetric_about_one_half()
    {
        var posterior = BetaPosterior.FromCounts(5_000_000, 10_000_000);
        Near.Equal(0.5, PosteriorComparison.Quantile(posterior, 0.5), 1e-15);
        Near.Equal(1.0, PosteriorComparison.Quantile(posterior, 0.025) + PosteriorComparison.Quantile(posterior, 0.975), 1e-15);
        // Nearly normal: the 97.5% point is 1.96 sd above the mean, to O(1/n).
        Near.Equal(0.5 + 1.959963984540054 * posterior.StandardDeviation, PosteriorComparison.Quantile(posterior, 0.975), 1e-9);
    }

    [Theory]
    [InlineData(38, 101)]
    [InlineData(450, 1000)]
    [InlineData(3, 7)]
    [InlineData(0, 5)]
    [InlineData(5, 5)]
    [InlineData(3000, 10000)]
    public void quantiles_invert_an_independent_incomplete_beta(long x, long n)
    {
        var posterior = BetaPosterior.FromCounts(x, n);
        foreach (var p in new[] { 0.025, 0.5, 0.975, 1e-4 })
        {
            var q = PosteriorComparison.Quantile(posterior, p);
            Near.Equal(p, SpecialFunctions.BetaRegularized(posterior.Alpha, posterior.Beta, q), 1e-11, $"F(q({p}))");
        }
    }

    [Fact]
    public void mean_and_standard_deviation_are_the_beta_formulas()
    {
        // 38 of 101: Beta(39, 64); mean 39/103, variance 39·64 / (103² · 104).
        var posterior = BetaPosterior.FromCounts(38, 101);
        Near.Equal(39.0 / 103.0, posterior.Mean, 1e-16);
        Near.Equal(Math.Sqrt(39.0 * 64.0 / (103.0 * 103.0 * 104.0)), posterior.StandardDeviation, 1e-16);
    }
}
