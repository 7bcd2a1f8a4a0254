using Persisters.Consumers.Calculator;
using Persisters.Contracts;
using Persisters.Persistence.Model;
using Persisters.Statistics;
using Persisters.Tests.Support;
using static Persisters.Tests.Calculator.Rows;

namespace Persisters.Tests.Calculator;

/// <summary>
/// Goal values whose sums leave double range (1e308 + 1e308) in an otherwise normal experiment: the document is
/// written, the conversion results are those of the same users with ordinary values, and the value model is capped
/// (99th percentile) or skipped with a reason, with the same document on SQLite and MariaDB.
/// </summary>
public abstract class When_goal_values_are_extreme
{
    protected abstract Task<CalculatorHarness> StartAsync();

    [Fact]
    public async Task Two_values_of_1e308_for_one_user_skip_only_the_value_model_with_a_reason()
    {
        var (document, ordinary) = await CalculateAsync(converting: (10, 15), extreme: [1e308, 1e308]);

        var goal = Assert.Single(document.Goals).Calculation;
        Assert.Equal(CalculationStatus.Computed, goal.Status);
        AssertSameConversions(ordinary, goal);
        Assert.False(goal.ValueModel.Computed);
        Assert.Contains("variation 'B'", goal.ValueModel.Reason);
        Assert.Contains("double precision", goal.ValueModel.Reason);
        Assert.All(goal.Variations, v => Assert.Null(v.Value));
        var b = goal.Variations[1];
        Assert.Null(b.ValueSum); // beyond double range: not a number the document can state
        Assert.Null(b.ValuePerUser);
        Assert.Null(document.Goals[0].TimeSeries.Variations[1].ValueSum[^1]);
        Assert.NotNull(goal.Variations[0].ValueSum);
    }

    [Fact]
    public async Task With_a_hundred_goal_users_or_more_the_extreme_user_is_capped_at_the_99th_percentile_and_the_value_model_runs()
    {
        var (document, ordinary) = await CalculateAsync(converting: (60, 60), extreme: [1e308, 1e308]);

        var goal = Assert.Single(document.Goals).Calculation;
        AssertSameConversions(ordinary, goal);
        Assert.True(goal.ValueModel.Computed, goal.ValueModel.Reason);
        // 121 goal users: NTILE(100) tiles 1..99 hold the 120 smallest sums, so the cap is the largest ordinary value, 10.
        var expectedB = Enumerable.Range(0, 3 * 60).Sum(i => 1.0 + i % 60 % 10) + 10;
        Assert.Equal(expectedB, goal.Variations[1].ValueSum);
        Assert.NotNull(goal.Variations[1].Value);
    }

    [Fact]
    public async Task A_users_sum_that_comes_back_into_range_is_exact_and_a_variance_beyond_range_skips_the_value_model()
    {
        var (document, ordinary) = await CalculateAsync(converting: (10, 15), extreme: [1e308, 1e308, -1e308]);

        var goal = Assert.Single(document.Goals).Calculation;
        AssertSameConversions(ordinary, goal);
        var b = goal.Variations[1];
        var ordinaryB = Enumerable.Range(0, 3 * 15).Sum(i => 1.0 + i % 15 % 10);
        Assert.Equal(ordinaryB + 1e308, b.ValueSum); // 1e308 + 1e308 − 1e308, not 0 and not infinite
        Assert.False(goal.ValueModel.Computed);
        Assert.Contains("valueVariance", goal.ValueModel.Reason);
    }

    /// <summary>
    /// The traffic of <see cref="When_experiment_results_are_calculated.SeedTrafficAsync"/> (values 1..10) plus one more
    /// user of B whose goal events have the given values; and the same experiment with that user's values set to 1.
    /// </summary>
    private async Task<(ExperimentResultDocument Extreme, GoalCalculation Ordinary)> CalculateAsync((int A, int B) converting, double[] extreme)
    {
        await using var h = await StartAsync();
        var withExtreme = await SeedAsync(h, converting, extreme);
        var withOrdinary = await SeedAsync(h, converting, extreme.Select(_ => 1.0).ToArray());

        await h.CalculateAsync(withExtreme.ExperimentId);
        await h.CalculateAsync(withOrdinary.ExperimentId);

        var rows = await h.ResultRowsAsync();
        var document = CalculatorJsonContext.Parse(rows.Single(r => r.Id == withExtreme.ExperimentId).Data);
        var ordinary = CalculatorJsonContext.Parse(rows.Single(r => r.Id == withOrdinary.ExperimentId).Data);
        Documents.Add(CalculatorJsonContext.Serialize(document with { ExperimentId = Guid.Empty }));
        return (document, ordinary.Goals[0].Calculation);
    }

    internal Task CalculateForComparisonAsync(int convertingA, int convertingB, double[] extreme) =>
        CalculateAsync((convertingA, convertingB), extreme);

    /// <summary>Every document this test wrote, its experiment id blanked (for comparing providers).</summary>
    internal List<string> Documents { get; } = [];

    private static void AssertSameConversions(GoalCalculation expected, GoalCalculation actual)
    {
        Assert.Equal(CalculationStatus.Computed, actual.Status);
        for (var i = 0; i < expected.Variations.Count; i++)
        {
            var (e, a) = (expected.Variations[i], actual.Variations[i]);
            Assert.Equal((e.EvaluationUsers, e.GoalUsers, e.GoalEvents), (a.EvaluationUsers, a.GoalUsers, a.GoalEvents));
            Assert.Equal(e.Cvr, a.Cvr);
        }
        Assert.Equal(expected.Summary.BestVariations, actual.Summary.BestVariations);
    }

    private static async Task<ExperimentDefinition> SeedAsync(CalculatorHarness h, (int A, int B) converting, double[] extreme)
    {
        var now = h.Clock.UnixNow;
        var x = Events.Experiment(now, startAt: now - 2 * Day - Day / 2, stopAt: now + 5 * Day);
        await h.SeedAsync(x);
        var evaluations = new List<EvaluationEventRow>();
        var goals = new List<GoalEventRow>();
        for (var day = 0; day < 3; day++)
        {
            foreach (var (variation, count) in new[] { ("A", converting.A), ("B", converting.B) })
            {
                for (var i = 0; i < 100; i++)
                {
                    var user = $"{variation}-{day}-{i:D3}";
                    var at = x.StartAt + day * Day + 60 + i * 60;
                    evaluations.Add(Evaluation(at, user, variation));
                    if (i < count) goals.Add(Goal(x, at + 30, user, variation, 1 + i % 10));
                }
            }
        }
        var last = x.StartAt + 2 * Day + 100;
        evaluations.Add(Evaluation(last, "B-extreme", "B"));
        goals.AddRange(extreme.Select((value, i) => Goal(x, last + 10 + i, "B-extreme", "B", value)));
        await h.InsertAsync(evaluations, goals);
        return x;
    }
}

public sealed class When_goal_values_are_extreme_on_SQLite : When_goal_values_are_extreme
{
    protected override Task<CalculatorHarness> StartAsync() => CalculatorHarness.StartAsync();
}

/// <summary>The same facts on MariaDB, whose documents must equal SQLite's.</summary>
public sealed class When_goal_values_are_extreme_on_MariaDb : When_goal_values_are_extreme, IAsyncLifetime
{
    private TestDatabase? _database;

    protected override Task<CalculatorHarness> StartAsync() => CalculatorHarness.StartAsync(_database!.Options);

    public async Task InitializeAsync() => _database = await TestDatabase.MariaDbAsync();

    public async Task DisposeAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }

    [Theory]
    [InlineData(10, 15, new[] { 1e308, 1e308 })]
    [InlineData(60, 60, new[] { 1e308, 1e308 })]
    [InlineData(10, 15, new[] { 1e308, 1e308, -1e308 })]
    [InlineData(10, 15, new[] { -1e308, -1e308 })]
    [InlineData(10, 15, new[] { 1e200, 3.5 })]
    public async Task The_document_is_the_same_as_on_SQLite(int convertingA, int convertingB, double[] extreme)
    {
        var onSqlite = new When_goal_values_are_extreme_on_SQLite();
        await onSqlite.CalculateForComparisonAsync(convertingA, convertingB, extreme);
        await CalculateForComparisonAsync(convertingA, convertingB, extreme);

        Assert.Equal(onSqlite.Documents, Documents);
    }
}
