using Microsoft.EntityFrameworkCore;
using Persisters.Tests.Support;

namespace Persisters.Tests.Persisters;

public sealed class When_goal_events_reach_the_dwh_persister
{
    private const string Dwh = "goal-events-dwh";

    [Fact]
    public async Task A_goal_is_attributed_to_the_variation_the_user_saw_last_before_it()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var experiment = Events.Experiment(now);
        await h.SeedAsync(experiment);
        await h.PublishAsync(Events.Evaluation(now - 300, variation: "A"), Events.Evaluation(now - 200, variation: "B"), Events.Evaluation(now - 50, variation: "A"));

        var goal = Events.Goal(now - 100, value: 12.5);
        await h.PublishAsync(goal);

        var row = Assert.Single(await h.GoalRowsAsync());
        Assert.Equal(goal.Id, row.Id);
        Assert.Equal(experiment.ExperimentId, row.ExperimentId);
        Assert.Equal("B", row.VariationId);
        Assert.Equal("RULE", row.Reason);
        Assert.Equal(12.5, row.Value);
        Assert.Equal("flag-1", row.FeatureId);
        Assert.Equal(1, row.FeatureVersion);
    }

    [Fact]
    public async Task A_goal_of_two_experiments_gives_one_row_for_each()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var first = Events.Experiment(now, feature: "flag-1");
        var second = Events.Experiment(now, feature: "flag-2");
        await h.SeedAsync(first);
        await h.SeedAsync(second);
        await h.PublishAsync(Events.Evaluation(now - 300, feature: "flag-1", variation: "A"), Events.Evaluation(now - 300, feature: "flag-2", variation: "B"));

        var goal = Events.Goal(now - 100);
        await h.PublishAsync(goal, goal);

        var rows = await h.GoalRowsAsync();
        Assert.Equal(2, rows.Count);
        Assert.Equal("A", rows.Single(r => r.ExperimentId == first.ExperimentId).VariationId);
        Assert.Equal("B", rows.Single(r => r.ExperimentId == second.ExperimentId).VariationId);
        Assert.Equal(2, h.Metrics.Sum("persisters_events_duplicate", ("persister", Dwh)));
    }

    [Fact]
    public async Task A_goal_that_arrives_before_its_evaluation_is_parked_and_linked_when_the_evaluation_is_stored()
    {
        await using var h = await PersisterHarness.StartAsync(o => o.GoalRetry.InitialInterval = TimeSpan.FromMinutes(5));
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var goal = Events.Goal(now - 100);

        await h.PublishAsync(goal);
        Assert.Empty(await h.GoalRowsAsync());
        Assert.Equal(1, await h.QueryAsync(db => db.GoalEventRetries.CountAsync()));

        await h.PublishAsync(Events.Evaluation(now - 200, variation: "B"));
        Assert.Equal(0, await h.RunGoalRetriesAsync()); // not due yet
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(1, await h.RunGoalRetriesAsync());

        Assert.Equal("B", Assert.Single(await h.GoalRowsAsync()).VariationId);
        Assert.Equal(0, await h.QueryAsync(db => db.GoalEventRetries.CountAsync()));
        Assert.Equal(1, h.Metrics.Sum("persisters_goal_retries", ("outcome", "linked")));
    }

    [Fact]
    public async Task A_parked_goal_whose_evaluation_never_comes_is_dropped_after_the_retry_period()
    {
        await using var h = await PersisterHarness.StartAsync(o =>
        {
            o.GoalRetry.InitialInterval = TimeSpan.FromMinutes(5);
            o.GoalRetry.MaxPeriod = TimeSpan.FromHours(1);
            o.LateEventTail = TimeSpan.FromDays(2);
        });
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now, stopAt: now + 86400));
        await h.PublishAsync(Events.Goal(now - 100));

        var attempts = 0;
        for (var i = 0; i < 40 && await h.QueryAsync(db => db.GoalEventRetries.CountAsync()) > 0; i++)
        {
            h.Clock.Advance(TimeSpan.FromMinutes(10));
            attempts += await h.RunGoalRetriesAsync();
        }

        Assert.Equal(0, await h.QueryAsync(db => db.GoalEventRetries.CountAsync()));
        Assert.Empty(await h.GoalRowsAsync());
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "retry_expired"));
        Assert.InRange(attempts, 3, 8); // backoff doubles: ~5, 10, 20, 40 minutes within the hour
    }

    [Fact]
    public async Task A_goal_before_every_evaluation_of_its_user_is_skipped_not_parked()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        await h.PublishAsync(Events.Evaluation(now - 50));

        await h.PublishAsync(Events.Goal(now - 100));

        Assert.Empty(await h.GoalRowsAsync());
        Assert.Equal(0, await h.QueryAsync(db => db.GoalEventRetries.CountAsync()));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "goal_before_evaluation"));
    }

    [Fact]
    public async Task Goals_outside_the_experiment_window_or_of_other_goals_are_skipped()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now, startAt: now - 1000, stopAt: now - 10, status: Contracts.ExperimentStatus.Stopped));
        await h.PublishAsync(Events.Evaluation(now - 500));

        await h.PublishAsync(Events.Goal(now - 2000), Events.Goal(now - 5), Events.Goal(now - 400, goal: "other-goal"),
            Events.Goal(now - 400) with { GoalId = "" });

        Assert.Empty(await h.GoalRowsAsync());
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "before_experiment_started"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "after_experiment_ended"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "experiment_not_found"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "missing_goal"));
    }
}
