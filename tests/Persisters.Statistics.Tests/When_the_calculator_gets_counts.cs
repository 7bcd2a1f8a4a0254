namespace Persisters.Statistics.Tests;

public class When_the_calculator_gets_counts
{
    private static VariationCounts V(string id, long n, long x, bool baseline = false) => new(id, baseline, n, x, x);

    [Fact]
    public void two_variations_get_exact_posteriors_comparisons_and_a_summary()
    {
        var result = ExperimentCalculator.Calculate([V("A", 101, 38, baseline: true), V("B", 99, 45)]);

        Assert.Equal(CalculationStatus.Computed, result.Status);
        Assert.Null(result.Reason);
        var (a, b) = (result.Variations[0], result.Variations[1]);
        Near.Equal(100.0 * 38 / 101, a.ConversionRate, 1e-12, "conversion rate × 100");

        var pB = BetaClosedForms.ProbabilityGreater(46, 55, 39, 64);
        Near.Equal(pB, b.Cvr!.ProbBeatBaseline, 1e-10, "P(B > A)");
        Near.Equal(pB, b.Cvr.ProbBest, 1e-10, "P(B best)");
        Near.Equal(1 - pB, a.Cvr!.ProbBest, 1e-10, "P(A best)");
        Assert.Equal(0.0, a.Cvr.ProbBeatBaseline);
        Assert.Equal(1.0, a.Cvr.BayesFactor);
        Near.Equal(BayesFactors.Conversion(38, 101, 45, 99), b.Cvr.BayesFactor, 0);

        // Losses: E[max] − E[p_i], so their difference is the difference of the means, in percentage points.
        Near.Equal(100 * (b.Cvr.Mean - a.Cvr.Mean), a.Cvr.ExpectedLoss - b.Cvr.ExpectedLoss, 1e-9);
        Assert.True(a.Cvr.ExpectedLoss > b.Cvr.ExpectedLoss);

        Assert.Equal(83, result.Summary.GoalUserCount);
        Assert.Empty(result.Summary.BestVariations); // 0.868 is not above 0.95
        Assert.False(result.Summary.CvrSafeToStop);
        Assert.False(result.ValueModel.Computed);
    }

    [Fact]
    public void a_clear_winner_is_listed_as_best_and_safe_to_stop()
    {
        var result = ExperimentCalculator.Calculate([V("A", 5000, 500, baseline: true), V("B", 5000, 650), V("C", 5000, 600)]);

        var best = result.Summary.BestVariations;
        Assert.Equal(["B", "C"], best.Select(v => v.Id));
        Assert.True(best[0].IsBest);
        Assert.False(best[1].IsBest);
        Assert.All(best, v => Assert.True(v.Probability > 0.95));
        Assert.True(result.Summary.CvrSafeToStop);
        Assert.True(result.Variations[1].Cvr!.BayesFactor >= 20);
    }

    [Fact]
    public void a_single_variation_is_trivially_best_with_no_loss()
    {
        var result = ExperimentCalculator.Calculate([V("A", 1000, 123, baseline: true)]);

        Assert.Equal(CalculationStatus.Computed, result.Status);
        var cvr = result.Variations[0].Cvr!;
        Assert.Equal(1.0, cvr.ProbBest);
        Assert.Equal(0.0, cvr.ProbBeatBaseline);
        Assert.Equal(0.0, cvr.ExpectedLoss);
        Near.Equal(124.0 / 1002.0, cvr.Mean, 1e-16);
        Assert.Contains(result.Notes, n => n.Contains("one variation", StringComparison.Ordinal));
    }

    [Fact]
    public void a_variation_without_users_keeps_the_uniform_prior()
    {
        // A has 0/0 → Beta(1,1); B has 1/1 → Beta(2,1); P(B > A) = ∫ 2x · x dx = 2/3.
        var result = ExperimentCalculator.Calculate([V("A", 0, 0, baseline: true), V("B", 1, 1)]);

        Assert.Equal(0.0, result.Variations[0].ConversionRate);
        Near.Equal(0.5, result.Variations[0].Cvr!.Median, 1e-15);
        Near.Equal(2.0 / 3.0, result.Variations[1].Cvr!.ProbBeatBaseline, 1e-14);
        // Both BF inputs need n > 0, so the factor stays 1.
        Assert.Equal(1.0, result.Variations[1].Cvr!.BayesFactor);
    }

    [Theory]
    [MemberData(nameof(BadCounts))]
    public void bad_counts_are_not_computable_and_the_reason_names_the_problem(VariationCounts[] counts, string mentioned)
    {
        var result = ExperimentCalculator.Calculate(counts);

        Assert.Equal(CalculationStatus.NotComputable, result.Status);
        Assert.Contains(mentioned, result.Reason!, StringComparison.Ordinal);
        Assert.All(result.Variations, v => Assert.Null(v.Cvr));
        Assert.All(result.Variations, v => Assert.Null(v.Value));
        Assert.False(result.ValueModel.Computed);
    }

    public static TheoryData<VariationCounts[], string> BadCounts() => new()
    {
        { [V("A", 10, 3, true), V("B", 10, 12)], "goalUsers (12) exceed evaluationUsers (10)" },
        { [V("A", -1, 0, true), V("B", 10, 1)], "evaluationUsers is negative" },
        { [V("A", 10, -2, true), V("B", 10, 1)], "goalUsers is negative" },
        { [V("A", 0, 0, true), V("B", 0, 0)], "No evaluation users" },
        { [V("A", 10, 1), V("B", 10, 2)], "found 0" },
        { [V("A", 10, 1, true), V("B", 10, 2, true)], "found 2" },
        { [V("A", 10, 1, true), V("A", 10, 2)], "'A' appears more than once" },
        { [], "No variations" },
        { [V("A", 2_000_000_000_000, 1, true)], "above the supported" },
    };

    [Theory]
    [MemberData(nameof(BadValueStatistics))]
    public void value_statistics_beyond_double_range_or_negative_skip_only_the_value_model(VariationCounts[] counts, string mentioned)
    {
        var result = ExperimentCalculator.Calculate(counts);
        var clean = ExperimentCalculator.Calculate(counts.Select(c => c with { ValueSum = 0, ValueMean = 0, ValueVariance = 0 }).ToList());

        Assert.Equal(CalculationStatus.Computed, result.Status);
        Assert.Equal(clean.Variations.Select(v => v.Cvr), result.Variations.Select(v => v.Cvr));
        Assert.False(result.ValueModel.Computed);
        Assert.StartsWith("Value model skipped: variation 'B' ", result.ValueModel.Reason, StringComparison.Ordinal);
        Assert.Contains(mentioned, result.ValueModel.Reason!, StringComparison.Ordinal);
        Assert.All(result.Variations, v => Assert.Null(v.Value));
        var json = System.Text.Json.JsonSerializer.Serialize(result, Json.StatisticsJsonContext.Default.GoalCalculation); // no NaN or ±∞ to refuse
        Assert.DoesNotContain("Infinity", json, StringComparison.Ordinal);
    }

    public static TheoryData<VariationCounts[], string> BadValueStatistics() => new()
    {
        { [new VariationCounts("A", true, 10, 2, 2, 4, 2, 1), new VariationCounts("B", false, 10, 1, 1, double.NaN, 1, 1)], "valueSum that is not a number" },
        { [new VariationCounts("A", true, 10, 2, 2, 4, 2, 1), new VariationCounts("B", false, 10, 1, 1, 3, double.PositiveInfinity, 1)], "valueMean beyond double precision" },
        { [new VariationCounts("A", true, 10, 2, 2, 4, 2, 1), new VariationCounts("B", false, 10, 2, 2, 3, 1.5, double.PositiveInfinity)], "valueVariance beyond double precision" },
        { [new VariationCounts("A", true, 10, 2, 2, 4, 2, 1), new VariationCounts("B", false, 10, 2, 2, double.NegativeInfinity, 1.5, 1)], "valueSum beyond double precision" },
        { [new VariationCounts("A", true, 10, 2, 2, 4, 2, 1), new VariationCounts("B", false, 10, 1, 1, 0, 1, -3)], "negative value variance" },
    };

    [Fact]
    public void huge_user_counts_are_refused_with_a_reason_and_never_overflow_a_total()
    {
        var result = ExperimentCalculator.Calculate([V("A", long.MaxValue, long.MaxValue, true), V("B", long.MaxValue, long.MaxValue)]);

        Assert.Equal(CalculationStatus.NotComputable, result.Status);
        Assert.Contains("above the supported", result.Reason!, StringComparison.Ordinal);
        Assert.Equal(long.MaxValue, result.Summary.GoalUserCount); // saturated, not an OverflowException
    }

    [Fact]
    public void not_computable_results_still_echo_the_raw_counts()
    {
        var result = ExperimentCalculator.Calculate([V("A", 10, 3, true), V("B", 10, 12)]);
        Assert.Equal(12, result.Variations[1].GoalUsers);
        Assert.Equal(15, result.Summary.GoalUserCount);
        Near.Equal(120.0, result.Variations[1].ConversionRate, 1e-12);
    }

    [Fact]
    public void the_monte_carlo_reference_agrees_within_its_error()
    {
        VariationCounts[] counts = [V("A", 2000, 200, true), V("B", 2000, 230), V("C", 2000, 215)];
        var exact = ExperimentCalculator.Calculate(counts);
        var mc = MonteCarloReference.Calculate(counts, draws: MonteCarloReference.BucketeerDraws);

        Assert.Equal("exact", exact.Method);
        Assert.StartsWith("monteCarlo", mc.Method, StringComparison.Ordinal);
        for (var i = 0; i < counts.Length; i++)
        {
            var (e, m) = (exact.Variations[i].Cvr!, mc.Variations[i].Cvr!);
            var se = Math.Sqrt(0.25 / MonteCarloReference.BucketeerDraws); // the largest a proportion's SE can be
            Near.Equal(e.ProbBest, m.ProbBest, 4 * se, "P(best)");
            Near.Equal(e.ProbBeatBaseline, m.ProbBeatBaseline, 4 * se, "P(beat)");
            Near.Equal(e.Median, m.Median, 0.05 * e.Sd, "median");
        }
    }
}
