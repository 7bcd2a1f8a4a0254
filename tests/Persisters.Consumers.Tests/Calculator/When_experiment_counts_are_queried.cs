using Microsoft.Extensions.DependencyInjection;
using Persisters.Consumers.Calculator;
using Persisters.Contracts;
using Persisters.Statistics.Data;
using Persisters.Tests.Support;
using static Persisters.Tests.Calculator.Rows;

namespace Persisters.Tests.Calculator;

/// <summary>The count queries on SQLite; <see cref="When_experiment_counts_are_queried_on_MariaDb"/> runs the same facts on MariaDB.</summary>
public class When_experiment_counts_are_queried
{
    protected virtual Task<CalculatorHarness> StartAsync() => CalculatorHarness.StartAsync();

    // start S, now S + 2.5 days: cut-offs S+1d, S+2d, S+2.5d.
    private static readonly long S = CalculatorHarness.DefaultNow.ToUnixTimeSeconds() - 2 * Day - Day / 2;

    private static ExperimentDefinition Experiment() => Events.Experiment(0, startAt: S, stopAt: S + 10 * Day) with
    {
        VariationIds = ["A", "B", "C"],
        GoalIds = ["g1", "g2"],
    };

    [Fact]
    public async Task Evaluations_are_counted_cumulatively_per_cut_off_with_each_user_once_per_variation()
    {
        await using var h = await StartAsync();
        var x = Experiment();
        await h.InsertAsync([
            Evaluation(S, "u1", "A"), // at start_at: included
            Evaluation(S + Day, "u1", "A"), // exactly on the first cut-off: in it
            Evaluation(S + Day + 5, "u1", "A"),
            Evaluation(S + Day + 100, "u2", "A"),
            Evaluation(S + 200, "u3", "B"),
            Evaluation(S + 2 * Day + 100, "u4", "B"),
            Evaluation(S + 2 * Day + 200, "u1", "B"), // u1 saw both variations: counted in each
            // Outside the experiment: before start, another version, flag, environment, after the last cut-off.
            Evaluation(S - 1, "u9", "A"),
            Evaluation(S + 300, "u9", "A", version: 2),
            Evaluation(S + 300, "u9", "A", feature: "flag-2"),
            Evaluation(S + 300, "u9", "A", environment: "env-2"),
            Evaluation(h.Clock.UnixNow + 1, "u9", "A"),
        ]);

        var goals = await LoadAsync(h, x);

        Assert.Equal(["g1", "g2"], goals.Select(g => g.GoalId));
        var g1 = goals[0];
        Assert.Equal([S + Day, S + 2 * Day, h.Clock.UnixNow], g1.CutOffs.Select(c => c.EndAt));
        Assert.Equal([1L, 2, 2], Series(g1, "A", v => v.Counts.EvaluationUsers));
        Assert.Equal([2L, 4, 4], Series(g1, "A", v => v.EvaluationEvents));
        Assert.Equal([1L, 1, 3], Series(g1, "B", v => v.Counts.EvaluationUsers));
        Assert.Equal([1L, 1, 3], Series(g1, "B", v => v.EvaluationEvents));
        Assert.Equal([0L, 0, 0], Series(g1, "C", v => v.Counts.EvaluationUsers));
        Assert.Equal(Series(g1, "B", v => v.Counts.EvaluationUsers), Series(goals[1], "B", v => v.Counts.EvaluationUsers));
        Assert.All(g1.CutOffs, c => Assert.Equal(["A", "B", "C"], c.Variations.Select(v => v.Counts.Id)));
        Assert.All(g1.CutOffs, c => Assert.Equal([true, false, false], c.Variations.Select(v => v.Counts.IsBaseline)));
    }

    [Fact]
    public async Task Goal_values_are_summed_per_user_and_cumulated_over_the_cut_offs()
    {
        await using var h = await StartAsync();
        var x = Experiment();
        var other = Experiment();
        await h.InsertAsync([], [
            Goal(x, S + 10, "u1", "A", 3, "g1"),
            Goal(x, S + Day + 10, "u1", "A", 4, "g1"), // the same user on the next day: one user, two events
            Goal(x, S + 20, "u3", "B", 5, "g1"),
            Goal(x, S + 30, "u3", "B", 1, "g1"),
            Goal(x, S + 2 * Day + 150, "u4", "B", 2, "g1"),
            Goal(x, S + Day + 1, "u2", "A", 100, "g2"),
            // Not counted: before start, another experiment.
            Goal(x, S - 5, "u1", "A", 50, "g1"),
            Goal(other, S + 10, "u1", "A", 70, "g1"),
        ]);

        var goals = await LoadAsync(h, x);

        var g1 = goals[0];
        Assert.Equal([1L, 1, 1], Series(g1, "A", v => v.Counts.GoalUsers));
        Assert.Equal([1L, 2, 2], Series(g1, "A", v => v.Counts.GoalEvents));
        Assert.Equal([3.0, 7, 7], Series(g1, "A", v => v.Counts.ValueSum));
        Assert.Equal([3.0, 7, 7], Series(g1, "A", v => v.Counts.ValueMean));
        Assert.Equal([0.0, 0, 0], Series(g1, "A", v => v.Counts.ValueVariance));
        Assert.Equal([1L, 1, 2], Series(g1, "B", v => v.Counts.GoalUsers));
        Assert.Equal([2L, 2, 3], Series(g1, "B", v => v.Counts.GoalEvents));
        Assert.Equal([6.0, 6, 8], Series(g1, "B", v => v.Counts.ValueSum));
        Assert.Equal([6.0, 6, 4], Series(g1, "B", v => v.Counts.ValueMean));
        Assert.Equal([0.0, 0, 8], Series(g1, "B", v => v.Counts.ValueVariance)); // (6−4)² + (2−4)² over 1
        Assert.Equal([0L, 0, 0], Series(g1, "C", v => v.Counts.GoalUsers));
        Assert.Equal([0L, 1, 1], Series(goals[1], "A", v => v.Counts.GoalUsers));
        Assert.Equal([0.0, 100, 100], Series(goals[1], "A", v => v.Counts.ValueSum));
    }

    [Fact]
    public async Task Each_users_cumulative_value_is_capped_at_the_99th_percentile_of_that_cut_off()
    {
        await using var h = await StartAsync();
        var x = Experiment();
        // Day 1: 100 users at 2 and a whale at 1: nothing above the cap yet (NTILE keeps 100 of 101 rows, the largest is 2).
        // Day 2: the whale adds 999; with 101 rows the cap is still the 100th smallest sum, 2.
        var goals = Enumerable.Range(0, 100).Select(i => Goal(x, S + 100 + i, $"user-{i:D3}", "B", 2, "g1")).ToList();
        goals.Add(Goal(x, S + 50, "whale", "A", 1, "g1"));
        goals.Add(Goal(x, S + Day + 50, "whale", "A", 999, "g1"));
        await h.InsertAsync([], goals);

        var g1 = (await LoadAsync(h, x))[0];

        Assert.Equal([1.0, 2, 2], Series(g1, "A", v => v.Counts.ValueSum));
        Assert.Equal([1L, 2, 2], Series(g1, "A", v => v.Counts.GoalEvents)); // events are not capped
        Assert.Equal([200.0, 200, 200], Series(g1, "B", v => v.Counts.ValueSum));
        Assert.Equal(Winsorization.Cap([.. Enumerable.Repeat(2.0, 100), 1000.0]), 2.0);
    }

    [Fact]
    public async Task An_experiment_whose_window_has_not_begun_gives_no_cut_offs_and_no_counts()
    {
        await using var h = await StartAsync();
        var x = Experiment() with { StartAt = h.Clock.UnixNow + 60 };

        var cutOffs = CutOffs.ListEndAt(x.StartAt, x.StopAt, h.Clock.UnixNow);
        var goals = await h.Provider.GetRequiredService<ExperimentCounts>().LoadAsync(x, cutOffs, CancellationToken.None);

        Assert.Empty(cutOffs);
        Assert.Empty(goals);
    }

    [Fact]
    public async Task Users_variations_flags_environments_and_goals_that_differ_by_a_trailing_space_or_case_are_counted_apart()
    {
        await using var h = await StartAsync();
        var x = Experiment() with { GoalIds = ["g1", "g1 "] };
        await h.InsertAsync([
            Evaluation(S + 10, "u", "A"),
            Evaluation(S + 10, "u ", "A"),
            Evaluation(S + 10, "U", "A"),
            Evaluation(S + 10, "v", "A "), // another variation, not one of the experiment's
            Evaluation(S + 10, "w", "A", feature: "flag-1 "),
            Evaluation(S + 10, "w", "A", environment: Events.Env + " "),
        ], [
            Goal(x, S + 20, "u", "A", 1, "g1"),
            Goal(x, S + 20, "u ", "A", 2, "g1"),
            Goal(x, S + 30, "u", "A", 4, "g1 "),
        ]);

        var goals = await LoadAsync(h, x);

        Assert.Equal(3, Series(goals[0], "A", v => v.Counts.EvaluationUsers)[^1]);
        Assert.Equal(3, Series(goals[0], "A", v => v.EvaluationEvents)[^1]);
        Assert.Equal((2L, 3.0), Series(goals[0], "A", v => (v.Counts.GoalUsers, v.Counts.ValueSum))[^1]);
        Assert.Equal((1L, 4.0), Series(goals[1], "A", v => (v.Counts.GoalUsers, v.Counts.ValueSum))[^1]);
    }

    private static Task<IReadOnlyList<GoalCounts>> LoadAsync(CalculatorHarness h, ExperimentDefinition x) =>
        h.Provider.GetRequiredService<ExperimentCounts>()
            .LoadAsync(x, CutOffs.ListEndAt(x.StartAt, x.StopAt, h.Clock.UnixNow), CancellationToken.None);

    internal static List<T> Series<T>(GoalCounts goal, string variation, Func<VariationSnapshot, T> pick) =>
        goal.CutOffs.Select(c => pick(c.Variations.Single(v => v.Counts.Id == variation))).ToList();
}

public sealed class When_experiment_counts_are_queried_on_MariaDb : When_experiment_counts_are_queried, IAsyncLifetime
{
    private TestDatabase? _database;

    protected override Task<CalculatorHarness> StartAsync() => CalculatorHarness.StartAsync(_database!.Options);

    // The server's default collation (latin1 on a bare MariaDB): the schema must not depend on it.
    public async Task InitializeAsync() => _database = await TestDatabase.MariaDbAsync(serverDefaultCollation: true);

    public async Task DisposeAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }
}
