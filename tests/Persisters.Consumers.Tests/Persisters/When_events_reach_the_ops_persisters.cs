using Microsoft.EntityFrameworkCore;
using Persisters.Contracts;
using Persisters.Tests.Support;

namespace Persisters.Tests.Persisters;

public sealed class When_events_reach_the_ops_persisters
{
    private static AutoOpsRuleDefinition Rule(int version = 3) => new()
    {
        RuleId = Guid.NewGuid(),
        EnvironmentId = Events.Env,
        FeatureId = "flag-1",
        FeatureVersion = version,
        Status = AutoOpsRuleStatus.Running,
        Clauses =
        [
            new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "B", GoalId = "error", MinCount = 10, Threshold = 0.5 },
            new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "A", GoalId = "error", MinCount = 10, Threshold = 0.5 },
        ],
    };

    [Fact]
    public async Task Distinct_users_are_counted_exactly_whatever_the_duplicates()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var rule = Rule();
        await h.SeedAsync(rule);
        var evaluations = new[]
        {
            Events.Evaluation(now, user: "u1", variation: "B", version: 3),
            Events.Evaluation(now, user: "u1", variation: "B", version: 3),
            Events.Evaluation(now, user: "u2", variation: "B", version: 3),
            Events.Evaluation(now, user: "u3", variation: "A", version: 3),
        };

        await h.PublishAsync(evaluations);
        await h.PublishAsync(evaluations); // redelivered
        await h.PublishAsync(Events.Goal(now, user: "u1", goal: "error"), Events.Goal(now, user: "u1", goal: "error"), Events.Goal(now, user: "u9", goal: "error"));

        var counts = await h.QueryAsync(db => db.OpsCounts.AsNoTracking().ToDictionaryAsync(c => c.ClauseId));
        var b = counts[rule.Clauses[0].ClauseId];
        var a = counts[rule.Clauses[1].ClauseId];
        Assert.Equal(2, b.EvaluationCount);
        Assert.Equal(1, a.EvaluationCount);
        Assert.Equal(2, b.OpsEventCount); // u1 and u9 reached the goal (as the reference counts: any user of the flag version)
        Assert.Equal(2, a.OpsEventCount);
        Assert.Equal(3, b.FeatureVersion);
        Assert.Equal(rule.RuleId, b.AutoOpsRuleId);
    }

    [Fact]
    public async Task Events_no_active_rule_needs_are_skipped_with_their_reason()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Rule());
        await h.SeedAsync(Rule() with { FeatureId = "stopped-flag", Status = AutoOpsRuleStatus.Stopped });

        await h.PublishAsync(
            Events.Evaluation(now, variation: "B", version: 2),
            Events.Evaluation(now, variation: "C", version: 3),
            Events.Evaluation(now, feature: "stopped-flag", version: 3),
            Events.Evaluation(now, version: 3) with { EnvironmentId = "env-2" });
        await h.PublishAsync(Events.Goal(now, goal: "not-watched"));

        Assert.Equal(0, await h.QueryAsync(db => db.OpsCounts.CountAsync()));
        Assert.Equal(1, h.Metrics.Skipped("evaluation-events-ops", "feature_version_mismatch"));
        Assert.Equal(1, h.Metrics.Skipped("evaluation-events-ops", "clause_not_found"));
        Assert.Equal(1, h.Metrics.Skipped("evaluation-events-ops", "rule_not_found"));
        Assert.Equal(1, h.Metrics.Skipped("evaluation-events-ops", "unknown_environment"));
        Assert.Equal(1, h.Metrics.Skipped("goal-events-ops", "rule_not_found"));
    }

    [Fact]
    public async Task Envelopes_of_events_count_each_user_once_like_single_events()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var rule = Rule();
        await h.SeedAsync(rule);

        await h.PublishAsync(new EvaluationEventBatch { Events = [Events.Evaluation(now, user: "u1", variation: "B", version: 3), Events.Evaluation(now, user: "u1", variation: "B", version: 3)] });
        await h.PublishAsync(Events.Evaluation(now, user: "u1", variation: "B", version: 3), Events.Evaluation(now, user: "u2", variation: "B", version: 3));
        await h.PublishAsync(new GoalEventBatch { Events = [Events.Goal(now, user: "u1", goal: "error"), Events.Goal(now, user: "u2", goal: "error")] });

        var b = await h.QueryAsync(db => db.OpsCounts.AsNoTracking().SingleAsync(c => c.ClauseId == rule.Clauses[0].ClauseId));
        Assert.Equal(2, b.EvaluationCount);
        Assert.Equal(2, b.OpsEventCount);
    }
}
