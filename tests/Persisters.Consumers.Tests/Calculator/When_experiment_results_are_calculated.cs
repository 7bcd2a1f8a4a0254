using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Consumers.Calculator;
using Persisters.Contracts;
using Persisters.Persistence.Model;
using Persisters.Statistics;
using Persisters.Statistics.Data;
using Persisters.Statistics.Srm;
using Persisters.Tests.Support;
using static Persisters.Tests.Calculator.Rows;

namespace Persisters.Tests.Calculator;

public sealed class When_experiment_results_are_calculated
{
    [Fact]
    public async Task One_document_is_written_whose_numbers_are_the_calculators_on_the_same_counts()
    {
        await using var h = await CalculatorHarness.StartAsync();
        var x = await SeedTrafficAsync(h);

        await h.CalculateAsync(x.ExperimentId);

        var row = Assert.Single(await h.ResultRowsAsync());
        Assert.Equal(x.ExperimentId, row.Id);
        Assert.Equal(x.EnvironmentId, row.EnvironmentId);
        Assert.Equal(h.Clock.UnixNow, row.UpdatedAt);
        var document = CalculatorJsonContext.Parse(row.Data);
        var counts = await h.Provider.GetRequiredService<ExperimentCounts>()
            .LoadAsync(x, CutOffs.ListEndAt(x.StartAt, x.StopAt, h.Clock.UnixNow), CancellationToken.None);
        var last = counts[0].CutOffs[^1];
        var expected = ExperimentCalculator.Calculate(last.Counts);

        Assert.Equal(x.ExperimentId, document.ExperimentId);
        Assert.Equal(h.Clock.UnixNow, document.EndAt);
        var goal = Assert.Single(document.Goals);
        Assert.Equal("goal-1", goal.GoalId);
        Assert.Equal(CalculationStatus.Computed, goal.Calculation.Status);
        Assert.Equal(300, goal.Calculation.Variations[0].EvaluationUsers);
        Assert.Equal(300, goal.Calculation.Variations[1].EvaluationUsers);
        Assert.Equal(30, goal.Calculation.Variations[0].GoalUsers);
        Assert.Equal(45, goal.Calculation.Variations[1].GoalUsers);
        for (var i = 0; i < 2; i++)
        {
            var (actual, want) = (goal.Calculation.Variations[i], expected.Variations[i]);
            Assert.Equal(want.Id, actual.Id);
            Assert.Equal(want.ValueSum, actual.ValueSum);
            Assert.Equal(want.ValueVariance, actual.ValueVariance);
            Assert.Equal(want.Cvr!.P025, actual.Cvr!.P025);
            Assert.Equal(want.Cvr.P975, actual.Cvr.P975);
            Assert.Equal(want.Cvr.ProbBest, actual.Cvr.ProbBest);
            Assert.Equal(want.Cvr.ProbBeatBaseline, actual.Cvr.ProbBeatBaseline);
            Assert.Equal(want.Cvr.ExpectedLoss, actual.Cvr.ExpectedLoss);
            Assert.Equal(want.Value!.Median, actual.Value!.Median);
        }
        Assert.True(goal.Calculation.Variations[1].Cvr!.ProbBeatBaseline > 0.9);
        Assert.Equal(600, document.TotalEvaluationUserCount);
        Assert.Equal(SrmStatus.Ok, document.Srm.Status);
        Assert.All(document.Srm.Variations, v => Assert.Equal(0.5, v.ExpectedWeight));
        Assert.Equal(ExperimentResultDocument.EqualSplit, document.SrmExpectedSplit);
    }

    [Fact]
    public async Task The_time_series_has_one_cumulative_point_per_daily_cut_off()
    {
        await using var h = await CalculatorHarness.StartAsync();
        var x = await SeedTrafficAsync(h);

        await h.CalculateAsync(x.ExperimentId);

        var series = CalculatorJsonContext.Parse(Assert.Single(await h.ResultRowsAsync()).Data).Goals[0].TimeSeries;
        Assert.Equal("day", series.Unit);
        Assert.Equal(3, series.TotalCounts);
        Assert.Equal([x.StartAt + Day, x.StartAt + 2 * Day, h.Clock.UnixNow], series.Timestamps);
        var b = series.Variations[1];
        Assert.Equal("B", b.VariationId);
        Assert.Equal([100L, 200, 300], b.EvaluationUsers);
        Assert.Equal([15L, 30, 45], b.GoalUsers);
        Assert.Equal([0.15, 0.15, 0.15], b.ConversionRate);
        Assert.All(b.CvrMedian.Zip(b.CvrP025, b.CvrP975), p => Assert.True(p.Second < p.First && p.First < p.Third));
        Assert.True(b.CvrP975[2] - b.CvrP025[2] < b.CvrP975[0] - b.CvrP025[0], "the interval narrows as users accumulate");
        Assert.Equal(b.ValueSum.Zip(b.GoalUsers, (sum, users) => sum / users), b.ValuePerUser);
    }

    [Fact]
    public async Task Calculating_twice_leaves_one_row_with_the_same_document()
    {
        await using var h = await CalculatorHarness.StartAsync();
        var x = await SeedTrafficAsync(h);

        await h.CalculateAsync(x.ExperimentId);
        var first = Assert.Single(await h.ResultRowsAsync());
        await h.CalculateAsync(x.ExperimentId);
        var second = Assert.Single(await h.ResultRowsAsync());

        Assert.Equal(first.Data, second.Data);
        Assert.Equal(first.UpdatedAt, second.UpdatedAt);
    }

    [Fact]
    public async Task A_later_run_overwrites_the_document_with_the_new_counts()
    {
        await using var h = await CalculatorHarness.StartAsync();
        var x = await SeedTrafficAsync(h);
        await h.CalculateAsync(x.ExperimentId);

        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.InsertAsync([Evaluation(h.Clock.UnixNow - 60, "late-user", "A")]);
        await h.CalculateAsync(x.ExperimentId);

        var row = Assert.Single(await h.ResultRowsAsync());
        Assert.Equal(h.Clock.UnixNow, row.UpdatedAt);
        Assert.Equal(601, CalculatorJsonContext.Parse(row.Data).TotalEvaluationUserCount);
    }

    [Fact]
    public async Task An_unknown_experiment_is_skipped_without_a_row_or_a_fault()
    {
        await using var h = await CalculatorHarness.StartAsync();

        await h.CalculateAsync(Guid.NewGuid());

        Assert.Empty(await h.ResultRowsAsync());
        Assert.False(await h.Harness.Published.Any<Fault<CalculateExperimentResults>>());
    }

    [Theory]
    [InlineData(ExperimentStatus.Waiting, false, 0)]
    [InlineData(ExperimentStatus.Finished, false, 0)]
    [InlineData(ExperimentStatus.ForceStopped, false, 0)]
    [InlineData(ExperimentStatus.Stopped, false, 3)] // stopped three days ago: past the two-day late-event tail
    [InlineData(ExperimentStatus.Running, true, 0)] // archived
    public async Task An_experiment_that_no_longer_takes_events_is_skipped(ExperimentStatus status, bool archived, int stoppedDaysAgo)
    {
        await using var h = await CalculatorHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var x = Events.Experiment(now, status: status, startAt: now - 10 * Day, stopAt: stoppedDaysAgo > 0 ? now - stoppedDaysAgo * Day : now + Day)
            with
        { Archived = archived };
        await h.SeedAsync(x);
        await h.InsertAsync([Evaluation(now - 5 * Day, "u1", "A")]);

        await h.CalculateAsync(x.ExperimentId);

        Assert.Empty(await h.ResultRowsAsync());
        Assert.False(await h.Harness.Published.Any<Fault<CalculateExperimentResults>>());
    }

    [Fact]
    public async Task An_experiment_stopped_within_the_late_event_tail_is_still_calculated_up_to_its_stop()
    {
        await using var h = await CalculatorHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var x = Events.Experiment(now, status: ExperimentStatus.Stopped, startAt: now - 3 * Day, stopAt: now - Day);
        await h.SeedAsync(x);
        await h.InsertAsync([Evaluation(now - 2 * Day, "u1", "A"), Evaluation(now - Day / 2, "u2", "A")]);

        await h.CalculateAsync(x.ExperimentId);

        var document = CalculatorJsonContext.Parse(Assert.Single(await h.ResultRowsAsync()).Data);
        Assert.Equal(x.StopAt, document.EndAt);
        Assert.Equal(1, document.TotalEvaluationUserCount);
    }

    [Fact]
    public async Task An_experiment_asked_for_in_the_second_it_started_is_calculated_with_that_seconds_events()
    {
        // The API creates an experiment with start_at = now; a calculation asked for within the same second must not be dropped.
        await using var h = await CalculatorHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var x = Events.Experiment(now, startAt: now, stopAt: now + 14 * Day);
        await h.SeedAsync(x);
        await h.InsertAsync([Evaluation(now, "u1", "A"), Evaluation(now, "u2", "B")], [Goal(x, now, "u1", "A", 5)]);

        await h.CalculateAsync(x.ExperimentId);

        var row = Assert.Single(await h.ResultRowsAsync());
        Assert.Equal(now, row.UpdatedAt);
        var document = CalculatorJsonContext.Parse(row.Data);
        Assert.Equal(now, document.EndAt);
        Assert.Equal(2, document.TotalEvaluationUserCount);
        Assert.Equal(1, Assert.Single(document.Goals).TimeSeries.TotalCounts);
        Assert.False(await h.Harness.Published.Any<Fault<CalculateExperimentResults>>());
    }

    [Fact]
    public async Task A_live_experiment_whose_start_is_after_the_clock_is_retried_and_then_faults_naming_the_reason_not_dropped()
    {
        // Another replica's clock ran ahead: running there, not yet started here. No retries, so the outcome is at once.
        await using var h = await CalculatorHarness.StartAsync(calculator: o => o.RetryLimit = 0);
        var now = h.Clock.UnixNow;
        var x = Events.Experiment(now, startAt: now + 5, stopAt: now + 14 * Day);
        await h.SeedAsync(x);

        await h.CalculateAsync(x.ExperimentId);

        var consumed = Assert.Single(h.Harness.GetConsumerHarness<ExperimentResultsCalculator>().Consumed.Select<CalculateExperimentResults>());
        var exception = Assert.IsType<CalculationWindowNotOpenException>(consumed.Exception);
        Assert.Equal(x.ExperimentId, exception.ExperimentId);
        Assert.Contains($"window opens at {now + 5}, after now {now}", exception.Message);
        Assert.Empty(await h.ResultRowsAsync());
    }

    /// <summary>
    /// Started 2.5 days ago: per day 100 new users in each of A and B; A converts 10%, B 15%, values 1..10 by user.
    /// </summary>
    internal static async Task<ExperimentDefinition> SeedTrafficAsync(CalculatorHarness h)
    {
        var now = h.Clock.UnixNow;
        var x = Events.Experiment(now, startAt: now - 2 * Day - Day / 2, stopAt: now + 5 * Day);
        await h.SeedAsync(x);
        var evaluations = new List<EvaluationEventRow>();
        var goals = new List<GoalEventRow>();
        for (var day = 0; day < 3; day++)
        {
            var dayStart = x.StartAt + day * Day;
            foreach (var (variation, converting) in new[] { ("A", 10), ("B", 15) })
            {
                for (var i = 0; i < 100; i++)
                {
                    var user = $"{variation}-{day}-{i:D3}";
                    var at = dayStart + 60 + i * 60;
                    evaluations.Add(Evaluation(at, user, variation));
                    evaluations.Add(Evaluation(at + 10, user, variation)); // a second evaluation of the same user
                    if (i < converting) goals.Add(Goal(x, at + 30, user, variation, 1 + i % 10));
                }
            }
        }
        await h.InsertAsync(evaluations, goals);
        return x;
    }
}

public sealed class When_experiment_results_are_calculated_on_MariaDb : IAsyncLifetime
{
    private TestDatabase? _database;

    public async Task InitializeAsync() => _database = await TestDatabase.MariaDbAsync();

    public async Task DisposeAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }

    [Fact]
    public async Task The_document_matches_the_one_calculated_on_SQLite_and_a_repeat_keeps_one_row()
    {
        await using var maria = await CalculatorHarness.StartAsync(_database!.Options);
        await using var sqlite = await CalculatorHarness.StartAsync();
        var onMaria = await When_experiment_results_are_calculated.SeedTrafficAsync(maria);
        var onSqlite = await When_experiment_results_are_calculated.SeedTrafficAsync(sqlite);

        await maria.CalculateAsync(onMaria.ExperimentId);
        await maria.CalculateAsync(onMaria.ExperimentId);
        await sqlite.CalculateAsync(onSqlite.ExperimentId);

        var row = Assert.Single(await maria.ResultRowsAsync());
        var fromMaria = CalculatorJsonContext.Parse(row.Data);
        var fromSqlite = CalculatorJsonContext.Parse(Assert.Single(await sqlite.ResultRowsAsync()).Data);
        // Same rows (other ids) give the same document apart from the ids.
        Assert.Equal(
            CalculatorJsonContext.Serialize(fromSqlite with { ExperimentId = Guid.Empty }),
            CalculatorJsonContext.Serialize(fromMaria with { ExperimentId = Guid.Empty }));
        Assert.Equal(600, fromMaria.TotalEvaluationUserCount);
    }
}
