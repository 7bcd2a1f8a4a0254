using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Consumers.AutoOps;
using Persisters.Contracts;
using Persisters.Persistence.Model;
using Persisters.Tests.Support;

namespace Persisters.Tests.AutoOps;

/// <summary>
/// The kill switch's rule, branch by branch, through the OPS persisters on the harness: a clause is assessed in the transaction that
/// raised its counts (no evaluation or no goal users, then min count on goal users, goal users clamped to evaluation users, rate ≥ or ≤ threshold), and a rule
/// triggers at most once.
/// </summary>
public sealed class When_event_rate_rules_are_assessed
{
    private static EventRateClause Clause(string variation, long minCount, double threshold, RateOperator op = RateOperator.GreaterOrEqual, string goal = "error") => new()
    {
        ClauseId = Guid.NewGuid(), VariationId = variation, GoalId = goal, MinCount = minCount, Threshold = threshold, Operator = op,
    };

    private static AutoOpsRuleDefinition Rule(params EventRateClause[] clauses) => new()
    {
        RuleId = Guid.NewGuid(), EnvironmentId = Events.Env, FeatureId = "flag-1", FeatureVersion = 1, Status = AutoOpsRuleStatus.Running, Clauses = clauses,
    };

    private static EvaluationEvent[] Served(long now, string variation, params string[] users) =>
        users.Select(u => Events.Evaluation(now, user: u, variation: variation, version: 1)).ToArray();

    private static GoalEvent[] Reached(long now, string goal, params string[] users) => users.Select(u => Events.Goal(now, user: u, goal: goal)).ToArray();

    private static string[] Users(int from, int count) => Enumerable.Range(from, count).Select(i => $"u{i}").ToArray();

    private static Task<AutoOpsRuleRow> RuleRowAsync(PersisterHarness h, Guid id) => h.QueryAsync(db => db.AutoOpsRules.AsNoTracking().SingleAsync(r => r.Id == id));

    [Fact]
    public async Task Below_the_min_count_of_goal_users_nothing_triggers_and_at_it_the_rule_does()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var rule = Rule(Clause("B", minCount: 4, threshold: 0.5));
        await h.SeedAsync(rule);

        await h.PublishAsync(Served(now, "B", Users(1, 5)));
        await h.PublishAsync(Reached(now, "error", Users(1, 3))); // rate 0.6 >= 0.5, but 3 goal users < 4 (the reference's minimum)
        Assert.Empty(await h.TriggersAsync());
        Assert.Equal(AutoOpsRuleStatus.Running, (AutoOpsRuleStatus)(await RuleRowAsync(h, rule.RuleId)).Status);

        await h.PublishAsync(Reached(now, "error", "u4")); // 5 evaluation users, 4 goal users: 0.8 >= 0.5

        var trigger = Assert.Single(await h.TriggersAsync());
        Assert.Equal((rule.RuleId, rule.Clauses[0].ClauseId, 5L, 4L), (trigger.AutoOpsRuleId, trigger.ClauseId, trigger.EvaluationCount, trigger.OpsEventCount));
        var row = await RuleRowAsync(h, rule.RuleId);
        Assert.Equal(AutoOpsRuleStatus.Finished, (AutoOpsRuleStatus)row.Status);
        Assert.Equal((rule.Clauses[0].ClauseId, 5L, 4L, trigger.TriggeredAt), (row.TriggeredClauseId, row.TriggeredEvaluationCount, row.TriggeredOpsEventCount, row.TriggeredAt));
        Assert.Equal(h.Clock.GetUtcNow().ToUnixTimeMilliseconds(), trigger.TriggeredAt);
        Assert.Equal(1, h.Metrics.Sum("persisters_event_rate_rules_triggered"));
    }

    /// <summary>The reference's assessment (§8.2) on counts alone: skip a clause without evaluation or goal users, then the minimum on goal
    /// users before the clamp, then the clamp, then the comparison.</summary>
    [Theory]
    [InlineData(0L, 5L, 1L, 0.5, RateOperator.GreaterOrEqual, false)] // no evaluation users
    [InlineData(10L, 0L, 1L, 0.5, RateOperator.LessOrEqual, false)] // no goal users: even a rate of 0 <= threshold is skipped
    [InlineData(100L, 9L, 10L, 0.05, RateOperator.GreaterOrEqual, false)] // 0.09 >= 0.05 but 9 goal users < 10
    [InlineData(100L, 10L, 10L, 0.1, RateOperator.GreaterOrEqual, true)] // exactly the minimum and the threshold
    [InlineData(100L, 10L, 10L, 0.1, RateOperator.LessOrEqual, true)]
    [InlineData(100L, 11L, 10L, 0.1, RateOperator.LessOrEqual, false)]
    [InlineData(3L, 10L, 10L, 1.0, RateOperator.GreaterOrEqual, true)] // 10 goal users meet the minimum, then clamp to 3: 1.0
    [InlineData(3L, 10L, 11L, 1.0, RateOperator.GreaterOrEqual, false)] // the minimum is judged before the clamp
    public void The_counts_alone_decide_as_in_the_reference(long evaluationUsers, long goalUsers, long minCount, double threshold, RateOperator op, bool triggers)
    {
        var outcome = EventRateAssessment.Assess(Clause("B", minCount, threshold, op), evaluationUsers, goalUsers);

        Assert.Equal(triggers, outcome.Triggers);
        Assert.Equal(Math.Min(goalUsers, evaluationUsers), outcome.GoalUsers);
    }

    [Fact]
    public async Task Greater_or_equal_triggers_exactly_at_the_threshold_and_not_below_it()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var rule = Rule(Clause("B", minCount: 2, threshold: 0.3));
        await h.SeedAsync(rule);

        await h.PublishAsync(Served(now, "B", Users(1, 10)));
        await h.PublishAsync(Reached(now, "error", Users(1, 2))); // 0.2
        await h.PublishAsync(Reached(now, "error", "u1", "u2")); // the same users again: still 0.2
        Assert.Empty(await h.TriggersAsync());

        await h.PublishAsync(Reached(now, "error", "u3")); // 3 / 10 = 0.3, exactly the threshold

        var trigger = Assert.Single(await h.TriggersAsync());
        Assert.Equal((10L, 3L), (trigger.EvaluationCount, trigger.OpsEventCount));
    }

    [Fact]
    public async Task Less_or_equal_triggers_exactly_at_the_threshold_and_not_above_it()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var rule = Rule(Clause("B", minCount: 2, threshold: 0.25, op: RateOperator.LessOrEqual, goal: "purchase"));
        await h.SeedAsync(rule);

        await h.PublishAsync(Reached(now, "purchase", "u1", "u2")); // no evaluation users yet: not assessed
        await h.PublishAsync(Served(now, "B", Users(1, 3))); // 2 / 3 > 0.25
        await h.PublishAsync(Served(now, "B", Users(4, 1))); // 2 / 4 = 0.5 > 0.25
        await h.PublishAsync(Served(now, "B", Users(5, 3))); // 2 / 7 = 0.286 > 0.25
        Assert.Empty(await h.TriggersAsync());

        await h.PublishAsync(Served(now, "B", "u8")); // 2 / 8 = 0.25, exactly the threshold

        var trigger = Assert.Single(await h.TriggersAsync());
        Assert.Equal((8L, 2L, (int)RateOperator.LessOrEqual), (trigger.EvaluationCount, trigger.OpsEventCount, trigger.Operator));
    }

    [Fact]
    public async Task Goal_users_beyond_the_evaluation_users_are_clamped_to_them()
    {
        await using var h = await PersisterHarness.StartAsync(killSwitch: _ => { });
        var now = h.Clock.UnixNow;
        // Unclamped, 5 goal users of 4 would be a rate of 1.25, above 1.0; clamped it is 1.0. The min count (5 goal users) is met
        // only by the fifth goal user, whose evaluation was never counted.
        var rule = Rule(Clause("B", minCount: 5, threshold: 1.0));
        await h.SeedAsync(rule);

        await h.PublishAsync(Served(now, "B", Users(1, 4)));
        await h.PublishAsync(Reached(now, "error", Users(1, 4)));
        Assert.Empty(await h.TriggersAsync());
        await h.PublishAsync(Reached(now, "error", "u5"));

        var trigger = Assert.Single(await h.TriggersAsync());
        Assert.Equal((4L, 5L), (trigger.EvaluationCount, trigger.OpsEventCount)); // stored as counted
        await h.WaitForTriggersAsync(t => t.PublishedAt is not null); // the harness runs the dispatcher, woken by the commit
        var published = h.Harness.Published.Select<EventRateRuleTriggered>().Single().Context.Message;
        Assert.Equal((4L, 4L, 1.0), (published.EvaluationUsers, published.GoalUsers, published.Rate)); // as assessed
    }

    [Theory]
    [InlineData(AutoOpsRuleStatus.Stopped, false)]
    [InlineData(AutoOpsRuleStatus.Finished, false)]
    [InlineData(AutoOpsRuleStatus.Running, true)]
    public async Task A_rule_that_is_no_longer_active_never_triggers_even_while_a_host_still_counts_for_it(AutoOpsRuleStatus status, bool deleted)
    {
        // A host reuses its copy of the rules for a while (DefinitionsRefreshInterval), so it may count for a rule that was just stopped,
        // deleted or triggered elsewhere; the rule row decides.
        await using var h = await PersisterHarness.StartAsync(o => o.DefinitionsRefreshInterval = TimeSpan.FromHours(1));
        var now = h.Clock.UnixNow;
        var rule = Rule(Clause("B", minCount: 2, threshold: 0.5));
        await h.SeedAsync(rule);
        await h.PublishAsync(Served(now, "B", "u0")); // the host has read the rule as running
        await h.QueryAsync(db => db.Database.ExecuteSqlRawAsync("UPDATE auto_ops_rule SET status = {0}, deleted = {1} WHERE id = {2}", (int)status, deleted, rule.RuleId.ToString("D")));

        await h.PublishAsync(Served(now, "B", Users(1, 3)));
        await h.PublishAsync(Reached(now, "error", Users(1, 3)));

        Assert.Equal(4, (await h.QueryAsync(db => db.OpsCounts.AsNoTracking().SingleAsync())).EvaluationCount); // counted all the same
        Assert.Empty(await h.TriggersAsync());
        var row = await RuleRowAsync(h, rule.RuleId);
        Assert.Equal((status, deleted, (Guid?)null), ((AutoOpsRuleStatus)row.Status, row.Deleted, row.TriggeredClauseId));
        Assert.Equal(0, h.Metrics.Sum("persisters_event_rate_rules_triggered"));
    }

    [Fact]
    public async Task Two_clauses_crossing_in_one_batch_trigger_their_rule_once_by_the_first_clause_and_another_rule_too()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var both = Rule(Clause("A", minCount: 2, threshold: 0.5), Clause("B", minCount: 2, threshold: 0.5));
        var other = Rule(Clause("B", minCount: 2, threshold: 1.0)) with { FeatureId = "flag-1" };
        await h.SeedAsync(both);
        await h.SeedAsync(other);
        await h.PublishAsync(new EvaluationEventBatch { Events = [.. Served(now, "A", "a1", "a2"), .. Served(now, "B", "b1", "b2")] });
        Assert.Empty(await h.TriggersAsync());

        // One envelope: one batch, one transaction, in which both clauses of the first rule and the clause of the second cross.
        await h.PublishAsync(new GoalEventBatch { Events = Reached(now, "error", "a1", "a2", "b1", "b2") });

        var triggers = await h.TriggersAsync();
        Assert.Equal(2, triggers.Count);
        Assert.Equal(both.Clauses[0].ClauseId, triggers.Single(t => t.AutoOpsRuleId == both.RuleId).ClauseId);
        Assert.Equal(other.Clauses[0].ClauseId, triggers.Single(t => t.AutoOpsRuleId == other.RuleId).ClauseId);
        Assert.Equal(2, h.Metrics.Sum("persisters_event_rate_rules_triggered"));
    }

    [Fact]
    public async Task A_redelivered_batch_and_more_users_after_the_trigger_do_not_trigger_again()
    {
        await using var h = await PersisterHarness.StartAsync(o => o.DefinitionsRefreshInterval = TimeSpan.FromHours(1));
        var now = h.Clock.UnixNow;
        var rule = Rule(Clause("B", minCount: 2, threshold: 0.5));
        await h.SeedAsync(rule);
        var served = Served(now, "B", "u1", "u2");
        var reached = Reached(now, "error", "u1", "u2");
        await h.PublishAsync(served);
        await h.PublishAsync(reached);
        var first = Assert.Single(await h.TriggersAsync());

        await h.PublishAsync(reached); // redelivered
        await h.PublishAsync(served);
        await h.PublishAsync(Served(now, "B", Users(3, 5))); // still counted by this host's copy, which has the rule as running
        await h.PublishAsync(Reached(now, "error", Users(3, 5)));

        Assert.Equal(first.Id, Assert.Single(await h.TriggersAsync()).Id);
        var row = await RuleRowAsync(h, rule.RuleId);
        Assert.Equal((2L, 2L), (row.TriggeredEvaluationCount!.Value, row.TriggeredOpsEventCount!.Value));
        Assert.Equal(1, h.Metrics.Sum("persisters_event_rate_rules_triggered"));
    }

    [Fact]
    public async Task A_rule_command_that_read_the_rule_before_it_triggered_cannot_save_over_the_trigger()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var rule = Rule(Clause("B", minCount: 2, threshold: 0.5));
        await h.SeedAsync(rule);
        await using var stale = h.Provider.GetRequiredService<Persistence.IPersistersDbContextFactory>().CreateDbContext();
        var row = await stale.AutoOpsRules.SingleAsync(r => r.Id == rule.RuleId); // as StopAutoOpsRule reads it

        await h.PublishAsync(Served(now, "B", "u1", "u2"));
        await h.PublishAsync(Reached(now, "error", "u1", "u2"));
        Assert.Single(await h.TriggersAsync());
        row.Status = (int)AutoOpsRuleStatus.Stopped;

        // The rule commands consumer retries this; on the reloaded row the stop answers "already finished".
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => stale.SaveChangesAsync());
        Assert.Equal(AutoOpsRuleStatus.Finished, (AutoOpsRuleStatus)(await RuleRowAsync(h, rule.RuleId)).Status);
    }
}
