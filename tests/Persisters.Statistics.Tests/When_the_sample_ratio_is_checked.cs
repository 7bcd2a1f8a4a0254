using MathNet.Numerics;
using Persisters.Statistics.Srm;

namespace Persisters.Statistics.Tests;

public class When_the_sample_ratio_is_checked
{
    private static SrmResult Check(params (string Id, long Observed, double Weight)[] cells) =>
        SampleRatioMismatch.Check(cells.Select(c => new SrmVariationInput(c.Id, c.Observed, c.Weight)).ToList());

    [Fact]
    public void a_small_imbalance_in_a_fifty_fifty_split_is_ok()
    {
        // Expected 500 each: χ² = (20² + 20²)/500 = 1.6 with 1 dof; p = P(|Z| > √1.6) = erfc(√0.8) ≈ 0.206.
        var result = Check(("A", 520, 50), ("B", 480, 50));
        Assert.Equal(SrmStatus.Ok, result.Status);
        Near.Equal(1.6, result.ChiSquare, 1e-12);
        Assert.Equal(1, result.DegreesOfFreedom);
        Near.Equal(SpecialFunctions.Erfc(Math.Sqrt(0.8)), result.PValue, 1e-12);
        Near.Equal(500, result.Variations[0].ExpectedUserCount, 1e-9);
        Near.Equal(0.5, result.Variations[0].ExpectedWeight, 1e-15);
    }

    [Fact]
    public void a_three_way_imbalance_uses_the_two_dof_closed_form()
    {
        // 3000 users, expected 1000 each. With 2 dof the chi-square tail is exactly e^(−χ²/2).
        // [1100, 1000, 900]: χ² = (100² + 0 + 100²)/1000 = 20, p = e^−10 ≈ 4.5e-5 < 0.001 → MISMATCH.
        var mismatch = Check(("A", 1100, 1), ("B", 1000, 1), ("C", 900, 1));
        Assert.Equal(SrmStatus.Mismatch, mismatch.Status);
        Near.Equal(20, mismatch.ChiSquare, 1e-12);
        Assert.Equal(2, mismatch.DegreesOfFreedom);
        Near.Equal(Math.Exp(-10), mismatch.PValue, 1e-15);

        // [1030, 1000, 970]: χ² = (30² + 30²)/1000 = 1.8, p = e^−0.9 ≈ 0.4066 → OK.
        var ok = Check(("A", 1030, 1), ("B", 1000, 1), ("C", 970, 1));
        Assert.Equal(SrmStatus.Ok, ok.Status);
        Near.Equal(Math.Exp(-0.9), ok.PValue, 1e-13);
    }

    [Fact]
    public void fewer_than_a_hundred_users_are_skipped()
    {
        var result = Check(("A", 40, 1), ("B", 50, 1));
        Assert.Equal(SrmStatus.Skipped, result.Status);
        Assert.Contains("below 100", result.Reason!, StringComparison.Ordinal);
    }

    [Fact]
    public void a_tiny_expected_cell_is_skipped()
    {
        // 200 users × 1% = 2 expected < 5.
        var result = Check(("A", 198, 99), ("B", 2, 1));
        Assert.Equal(SrmStatus.Skipped, result.Status);
        Assert.Contains("expected count", result.Reason!, StringComparison.Ordinal);
    }

    [Fact]
    public void users_leaking_into_a_variation_expected_to_get_none_are_a_mismatch()
    {
        // Limit max(5, ⌊0.0001 · 1006⌋) = 5: six leaked users are a mismatch, five are not.
        Assert.Equal(SrmStatus.Mismatch, Check(("A", 500, 1), ("B", 500, 1), ("C", 6, 0)).Status);
        var tolerated = Check(("A", 500, 1), ("B", 500, 1), ("C", 5, 0));
        Assert.Equal(SrmStatus.Ok, tolerated.Status);
        Assert.Equal(1, tolerated.DegreesOfFreedom);
    }

    [Fact]
    public void a_single_expected_variation_is_skipped()
    {
        var result = Check(("A", 200, 1), ("B", 0, 0));
        Assert.Equal(SrmStatus.Skipped, result.Status);
        Assert.Contains("Fewer than two", result.Reason!, StringComparison.Ordinal);
    }

    [Fact]
    public void variations_are_listed_in_id_order_and_bad_weights_are_skipped_not_thrown()
    {
        Assert.Equal(["a", "b"], Check(("b", 60, 1), ("a", 60, 1)).Variations.Select(v => v.VariationId));
        Assert.Equal(SrmStatus.Skipped, Check(("A", 500, -1), ("B", 500, 1)).Status);
        Assert.Equal(SrmStatus.Skipped, Check(("A", 500, 0), ("B", 500, 0)).Status);
        Assert.Equal(SrmStatus.Skipped, Check(("A", 500, double.NaN), ("B", 500, 1)).Status);
    }

    [Fact]
    public void a_partial_rollout_audience_sends_the_rest_to_the_default_variation()
    {
        // 20% of users are in the audience and split 50/50; the other 80% get the default A.
        var shares = SampleRatioMismatch.ExpectedWeightsFromRollout([("A", 50_000), ("B", 50_000)], 20, "A");
        Near.Equal(0.9, shares["A"], 1e-15);
        Near.Equal(0.1, shares["B"], 1e-15);

        var full = SampleRatioMismatch.ExpectedWeightsFromRollout([("A", 30), ("B", 70)]);
        Near.Equal(0.3, full["A"], 1e-15);
    }
}
