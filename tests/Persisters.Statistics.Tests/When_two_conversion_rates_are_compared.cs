using Persisters.Statistics.Numerics;
using Persisters.Statistics.Posteriors;

namespace Persisters.Statistics.Tests;

public class When_two_conversion_rates_are_compared
{
    private static double PGreater(BetaPosterior x, BetaPosterior y) => PosteriorComparison.ProbabilityGreater(x, y);

    [Fact]
    public void two_uniform_posteriors_are_a_coin_flip()
    {
        // Beta(1,1) vs Beta(1,1): by symmetry P(X > Y) = 1/2.
        Near.Equal(0.5, PGreater(new BetaPosterior(1, 1), new BetaPosterior(1, 1)), 1e-14);
    }

    [Fact]
    public void one_conversion_out_of_one_beats_no_data_two_times_in_three()
    {
        // X ~ Beta(2,1) (density 2x), Y ~ Beta(1,1): P(X > Y) = ∫ 2x · x dx = 2/3.
        Near.Equal(2.0 / 3.0, PGreater(new BetaPosterior(2, 1), new BetaPosterior(1, 1)), 1e-14);
        Near.Equal(1.0 / 3.0, PGreater(new BetaPosterior(1, 1), new BetaPosterior(2, 1)), 1e-14);
    }

    [Fact]
    public void a_two_point_hand_case_matches()
    {
        // X ~ Beta(2,2) (6x(1−x)), Y ~ Beta(1,2) (F(y) = 1 − (1−y)²):
        // P(X > Y) = ∫ 6x(1−x)(2x − x²) dx = 6 ∫ (2x² − 3x³ + x⁴) dx = 6(2/3 − 3/4 + 1/5) = 6 · 7/60 = 0.7.
        Near.Equal(0.7, PGreater(new BetaPosterior(2, 2), new BetaPosterior(1, 2)), 1e-14);
    }

    [Theory]
    [InlineData(38, 101, 45, 99)]
    [InlineData(3, 10, 5, 12)]
    [InlineData(300, 1000, 320, 1000)]
    [InlineData(0, 50, 1, 50)]
    [InlineData(10, 20, 900, 1000)]
    [InlineData(1, 1000, 2, 100)]
    [InlineData(1200, 4000, 1180, 4000)]
    [InlineData(4500, 45000, 4620, 45500)]
    public void quadrature_matches_evan_millers_closed_form(long x1, long n1, long x2, long n2)
    {
        var a = BetaPosterior.FromCounts(x1, n1);
        var b = BetaPosterior.FromCounts(x2, n2);
        var closedForm = BetaClosedForms.ProbabilityGreater(x2 + 1, n2 - x2 + 1, x1 + 1, n1 - x1 + 1);

        Near.Equal(closedForm, PGreater(b, a), 1e-13, "P(B > A)");
        Near.Equal(1 - closedForm, PGreater(a, b), 1e-13, "P(A > B)");
    }

    [Fact]
    public void the_closed_form_itself_reproduces_the_hand_cases()
    {
        // Beta(2,1) vs Beta(1,1) = 2/3 and Beta(2,2) vs Beta(1,2) = 0.7 (see above), now from the sum.
        Near.Equal(2.0 / 3.0, BetaClosedForms.ProbabilityGreater(2, 1, 1, 1), 1e-15);
        Near.Equal(0.7, BetaClosedForms.ProbabilityGreater(2, 2, 1, 2), 1e-15);
        Near.Equal(0.3, BetaClosedForms.ProbabilityGreater(1, 2, 2, 2), 1e-15);
    }

    [Fact]
    public void arms_without_conversions_at_ten_million_users_match_their_closed_form()
    {
        // X ~ Beta(1, b1), Y ~ Beta(1, b2): P(X > Y) = ∫ b1(1−x)^(b1−1) (1 − (1−x)^b2) dx = 1 − b1/(b1+b2) = b2/(b1+b2).
        var x = BetaPosterior.FromCounts(0, 10_000_000);
        var y = BetaPosterior.FromCounts(0, 20_000_000);
        Near.Equal(20_000_001.0 / 30_000_002.0, PGreater(x, y), 1e-12);
    }

    [Fact]
    public void arms_that_always_convert_at_ten_million_users_match_their_closed_form()
    {
        // X ~ Beta(a1, 1), Y ~ Beta(a2, 1): P(X > Y) = ∫ a1 x^(a1−1) x^a2 dx = a1/(a1+a2).
        var x = BetaPosterior.FromCounts(10_000_000, 10_000_000);
        var y = BetaPosterior.FromCounts(5_000_000, 5_000_000);
        Near.Equal(10_000_001.0 / 15_000_002.0, PGreater(x, y), 1e-9);
    }

    [Fact]
    public void equal_counts_at_ten_million_users_are_a_coin_flip_and_complements_add_up()
    {
        var a = BetaPosterior.FromCounts(3_000_000, 10_000_000);
        var b = BetaPosterior.FromCounts(3_000_000, 10_000_000);
        Near.Equal(0.5, PGreater(a, b), 1e-12);

        var c = BetaPosterior.FromCounts(3_001_000, 10_000_000);
        Near.Equal(1.0, PGreater(a, c) + PGreater(c, a), 1e-12, "P(A > C) + P(C > A)");
    }

    [Fact]
    public void the_standard_grid_agrees_with_a_much_finer_grid_at_ten_million_users()
    {
        var arms = new IPosterior[] { BetaPosterior.FromCounts(3_000_000, 10_000_000), BetaPosterior.FromCounts(3_001_000, 10_000_000) };
        var standard = new PosteriorGrid(arms, GridSettings.Standard).ProbabilityGreater(1, 0);
        var fine = new PosteriorGrid(arms, GridSettings.Fine).ProbabilityGreater(1, 0);
        Near.Equal(fine, standard, 1e-12);
        Assert.InRange(standard, 0.68, 0.70); // (3.0001e6 − 3e6)/1e7 over √2 sd ≈ 0.488 sd → Φ(0.488) ≈ 0.687
    }
}
