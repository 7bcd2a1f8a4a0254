using Persisters.Consumers.AutoOps;
using Persisters.Contracts;
using Persisters.Persistence.Model;
using Persisters.Tests.Support;

namespace Persisters.Tests.AutoOps;

/// <summary>
/// How the operator CLI describes a committed trigger (src/Host/Cli/OperatorCommands): the clause, the trigger time in UTC, the
/// counts that crossed the threshold and the webhook's delivery state.
/// </summary>
public sealed class When_triggered_rules_are_listed
{
    [Fact]
    public async Task The_list_shows_the_clause_time_counts_and_webhook_state()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await PersisterHarness.StartAsync(killSwitch: o => o.Webhooks[Events.Env] = new WebhookTarget { Url = receiver.Url, Secret = receiver.Secret });
        var clause = new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "B", GoalId = "error", MinCount = 2, Threshold = 0.5 };
        var rule = new AutoOpsRuleDefinition
        {
            RuleId = Guid.NewGuid(), EnvironmentId = Events.Env, FeatureId = "flag-1", FeatureVersion = 1, Status = AutoOpsRuleStatus.Running, Clauses = [clause],
        };
        await h.SeedAsync(rule);
        var now = h.Clock.UnixNow;
        await h.PublishAsync(Events.Goal(now, user: "u1", goal: "error"), Events.Goal(now, user: "u2", goal: "error"), Events.Goal(now, user: "u3", goal: "error"));
        await h.PublishAsync(Events.Evaluation(now, user: "u1", variation: "B"), Events.Evaluation(now, user: "u2", variation: "B"));
        var trigger = Assert.Single(await h.WaitForTriggersAsync(t => t.DueAt is null));
        var row = await h.QueryAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.AutoOpsRules, r => r.Id == rule.RuleId));

        var line = Host.Cli.OperatorCommands.DescribeTrigger(row, trigger);

        var time = h.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"triggered {time} UTC by clause {clause.ClauseId} (B:error): 2 of 2 evaluation users reached the goal, rate 1 ge 0.5; published; webhook delivered after 1 attempt", line);
        Assert.Null(Host.Cli.OperatorCommands.DescribeTrigger(new AutoOpsRuleRow { Clauses = "[]" }, null));
    }
}
