using Persisters.Statistics.Data;

namespace Persisters.Statistics.Tests;

public class When_values_are_winsorised
{
    private static double[] OneTo(int n) => Enumerable.Range(1, n).Select(i => (double)i).Reverse().ToArray();

    [Theory]
    // N < 100: NTILE puts one row per tile 1..N, all ≤ 99, so nothing is capped.
    [InlineData(5, 5)]
    [InlineData(99, 99)]
    // N = 100: one row per tile; tile 100 holds only the largest.
    [InlineData(100, 99)]
    // N = 199: tiles 1..99 hold 2 rows (198), tile 100 holds 1.
    [InlineData(199, 198)]
    // N = 250: tiles 1..50 hold 3 rows, 51..100 hold 2; tiles 1..99 = 150 + 98 = 248 rows.
    [InlineData(250, 248)]
    public void the_cap_is_the_largest_value_in_the_first_ninety_nine_tiles(int n, double cap)
    {
        Assert.Equal(cap, Winsorization.Cap(OneTo(n)));
    }

    [Fact]
    public void other_percentiles_follow_the_same_tiles()
    {
        // N = 250, P = 50: tiles 1..50 hold 3 rows each → 150 rows; P = 10 → 30 rows.
        Assert.Equal(150, Winsorization.Cap(OneTo(250), percentile: 50));
        Assert.Equal(30, Winsorization.Cap(OneTo(250), percentile: 10));
        // N = 250, P = 60: 50 tiles of 3 and 10 of 2 → 170 rows.
        Assert.Equal(170, Winsorization.Cap(OneTo(250), percentile: 60));
        Assert.Equal(250, Winsorization.Cap(OneTo(250), percentile: 100));
    }

    [Fact]
    public void no_rows_have_no_cap()
    {
        Assert.Null(Winsorization.Cap([]));
    }

    [Fact]
    public void an_outlier_is_capped_before_the_per_variation_statistics()
    {
        // 100 rows: A has values 1..60, B has 61..99 and one outlier 10 000, each row with 2 events.
        // The cap is the 99th smallest = 99, so B's outlier becomes 99.
        var rows = Enumerable.Range(1, 60).Select(v => new UserGoalRow("A", 2, v))
            .Concat(Enumerable.Range(61, 39).Select(v => new UserGoalRow("B", 2, v)))
            .Append(new UserGoalRow("B", 2, 10_000))
            .ToList();

        var totals = Winsorization.Summarise(rows);

        var a = totals.Single(t => t.VariationId == "A");
        Assert.Equal(60, a.UserCount);
        Assert.Equal(120, a.EventCount);
        Assert.Equal(1830, a.ValueSum);            // 60·61/2
        Assert.Equal(30.5, a.ValueMean);
        Near.Equal(305, a.ValueVariance, 1e-10);   // sample variance of 1..n is n(n+1)/12

        var b = totals.Single(t => t.VariationId == "B");
        Assert.Equal(40, b.UserCount);
        Assert.Equal(3219, b.ValueSum);            // (61 + 99)·39/2 + 99
        Near.Equal(3219 / 40.0, b.ValueMean, 1e-12);
    }

    [Fact]
    public void a_single_user_has_zero_variance()
    {
        var totals = Winsorization.Summarise([new UserGoalRow("A", 1, 5)]);
        Assert.Equal(0, totals[0].ValueVariance);
    }

    [Fact]
    public void sums_beyond_double_range_sort_last_and_a_hundred_users_cap_them_at_an_ordinary_value()
    {
        // 99 ordinary users 1..99 and one whose exact sum (2e308) is beyond range: tiles 1..99 hold the 99 smallest.
        var sums = OneTo(99).Append(double.PositiveInfinity).ToList();
        Assert.Equal(99, Winsorization.Cap(sums));

        var totals = Winsorization.Summarise(sums.Select(v => new UserGoalRow("A", 1, v)).ToList());
        Assert.Equal(99 * 100 / 2 + 99, totals[0].ValueSum);
    }

    [Fact]
    public void with_fewer_than_a_hundred_users_nothing_is_capped_and_the_statistics_say_beyond_range()
    {
        Assert.Equal(double.PositiveInfinity, Winsorization.Cap([1, 2, double.PositiveInfinity]));

        var totals = Winsorization.Summarise([new UserGoalRow("A", 1, 1), new UserGoalRow("A", 2, double.PositiveInfinity), new UserGoalRow("B", 1, double.NegativeInfinity)]);

        Assert.Equal((double.PositiveInfinity, double.PositiveInfinity, double.PositiveInfinity), (totals[0].ValueSum, totals[0].ValueMean, totals[0].ValueVariance));
        Assert.Equal((double.NegativeInfinity, double.NegativeInfinity, 0.0), (totals[1].ValueSum, totals[1].ValueMean, totals[1].ValueVariance));
    }

    [Fact]
    public void finite_sums_whose_total_or_spread_leaves_double_range_give_infinity_not_a_wrong_number()
    {
        var huge = Winsorization.Summarise([new UserGoalRow("A", 1, 1e308), new UserGoalRow("A", 1, 1e308), new UserGoalRow("A", 1, 1e308)]);
        Assert.Equal(double.PositiveInfinity, huge[0].ValueSum);
        Assert.Equal(1e308, huge[0].ValueMean); // the mean itself is in range
        Assert.Equal(0, huge[0].ValueVariance);

        var spread = Winsorization.Summarise([new UserGoalRow("A", 1, 0), new UserGoalRow("A", 1, 1e200)]);
        Assert.Equal(1e200, spread[0].ValueSum);
        Assert.Equal(5e199, spread[0].ValueMean);
        Assert.Equal(double.PositiveInfinity, spread[0].ValueVariance); // (5e199)²·2 is beyond range

        var mixed = Winsorization.Summarise([new UserGoalRow("A", 1, double.PositiveInfinity), new UserGoalRow("A", 1, double.NegativeInfinity)]);
        Assert.True(double.IsNaN(mixed[0].ValueSum)); // undefined: beyond range in both directions
    }

    [Fact]
    public void ordinary_values_give_exactly_the_plain_double_statistics()
    {
        var random = new Random(20261130);
        for (var run = 0; run < 200; run++)
        {
            var values = Enumerable.Range(0, random.Next(2, 300)).Select(_ => Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-3, 12)), random.Next(0, 4))).ToArray();
            var mean = values.Sum() / values.Length;
            var ss = values.Sum(v => (v - mean) * (v - mean));

            var (sum, m, variance) = Winsorization.SumMeanVariance(values);

            Assert.Equal(values.Sum(), sum);
            Assert.Equal(mean, m);
            Assert.Equal(ss / (values.Length - 1), variance);
        }
    }

    [Fact]
    public void a_NaN_sum_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Winsorization.Cap([1, double.NaN]));
    }
}
