namespace Persisters.Statistics.Tests;

public class When_bayes_factors_are_computed
{
    [Theory]
    // 1/1 vs 0/1: B(2,1)·B(1,2)/B(2,2) = (1/2)(1/2)/(1/6) = 3/2.
    [InlineData(1, 1, 0, 1, 1.5)]
    // 2/2 vs 0/2: B(3,1)·B(1,3)/B(3,3) = (1/3)(1/3)/(1/30) = 10/3.
    [InlineData(2, 2, 0, 2, 10.0 / 3.0)]
    // 1/2 vs 1/2: B(2,2)²/B(3,3) = (1/36)/(1/30) = 5/6: equal rates favour the shared-rate model.
    [InlineData(1, 2, 1, 2, 5.0 / 6.0)]
    public void the_conversion_factor_matches_hand_computed_beta_functions(long sA, long nA, long sB, long nB, double expected)
    {
        Near.Equal(expected, BayesFactors.Conversion(sA, nA, sB, nB), 1e-13);
        Near.Equal(expected, BayesFactors.Conversion(sB, nB, sA, nA), 1e-13, "symmetric in the arms");
    }

    [Theory]
    [InlineData(0, 0, 1, 10)]
    [InlineData(1, 10, 0, 0)]
    [InlineData(11, 10, 1, 10)]
    [InlineData(1, 10, -1, 10)]
    public void the_conversion_factor_is_one_without_users_or_with_invalid_counts(long sA, long nA, long sB, long nB)
    {
        Assert.Equal(1.0, BayesFactors.Conversion(sA, nA, sB, nB));
    }

    [Fact]
    public void an_overwhelming_difference_is_clamped_to_the_largest_double()
    {
        // ln BF ≈ 10⁷ · ln 2 overflows exp: the factor is clamped, never infinite.
        Assert.Equal(double.MaxValue, BayesFactors.Conversion(0, 10_000_000, 10_000_000, 10_000_000));
        Assert.Equal(double.MaxValue, BayesFactors.Value(1_000_000, 0, 1e-6, 1_000_000, 1e6, 1e-6));
    }

    [Fact]
    public void the_value_factor_matches_the_hand_computation()
    {
        // nA = nB = 30, means 10 and 11, variances 30: SE² = 30/30 + 30/30 = 2, t = 1/√2, t² = 1/2;
        // n_eff = 30·30/60 = 15; BF = √(1/16) · exp(0.5 · 15 / (2 · 16)) = 0.25 · e^0.234375 ≈ 0.31602.
        Near.Equal(0.25 * Math.Exp(0.234375), BayesFactors.Value(30, 10, 30, 30, 11, 30), 1e-15);
    }

    [Theory]
    [InlineData(29, 30)]
    [InlineData(30, 29)]
    public void the_value_factor_needs_thirty_users_per_arm(long nA, long nB)
    {
        Assert.Equal(1.0, BayesFactors.Value(nA, 10, 30, nB, 11, 30));
    }

    [Fact]
    public void the_value_factor_is_one_without_spread()
    {
        Assert.Equal(1.0, BayesFactors.Value(100, 10, 0, 100, 11, 0));
    }
}
