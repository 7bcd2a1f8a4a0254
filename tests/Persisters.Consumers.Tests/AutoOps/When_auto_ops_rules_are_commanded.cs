using Microsoft.Extensions.DependencyInjection;
using Persisters.Contracts;
using Persisters.Persistence;

namespace Persisters.Tests.AutoOps;

public sealed class When_auto_ops_rules_are_commanded
{
    private static CreateAutoOpsRule Rule(Guid? id = null) => new()
    {
        RuleId = id ?? Guid.NewGuid(),
        EnvironmentId = "env-1",
        FeatureId = "checkout-button",
        FeatureVersion = 3,
        Clauses =
        [
            new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "green", GoalId = "error", MinCount = 50, Threshold = 0.5, Operator = RateOperator.GreaterOrEqual },
        ],
    };

    private static async Task<IReadOnlyList<AutoOpsRuleDefinition>> ActiveRulesAsync(AutoOpsRuleHarness h) =>
        await h.Provider.GetRequiredService<DefinitionStore>().LoadActiveRulesAsync(CancellationToken.None);

    private static async Task<PersisterDemandChanged> DemandChangeAsync(AutoOpsRuleHarness h, Guid ruleId, bool live) =>
        await h.ShouldPublishAsync<PersisterDemandChanged>(ruleId, m => m.RuleId ?? Guid.Empty, m => m.IsLive == live);

    [Fact]
    public async Task A_created_rule_is_active_and_announces_the_OPS_demand()
    {
        await using var h = await AutoOpsRuleHarness.StartAsync();
        var create = Rule();

        var accepted = (await h.SendRuleCommandAsync(create)).ShouldBeAccepted("created");

        Assert.Equal(AutoOpsRuleStatus.Waiting, accepted.Status);
        var active = Assert.Single(await ActiveRulesAsync(h));
        Assert.Equal(create.RuleId, active.RuleId);
        Assert.Equal(create.Clauses, active.Clauses);
        var change = await DemandChangeAsync(h, create.RuleId, live: true);
        Assert.Equal("env-1", change.EnvironmentId);
        Assert.Equal(Guid.Empty, change.ExperimentId);
    }

    [Fact]
    public async Task Creating_the_same_rule_again_is_a_no_op_and_a_different_one_with_its_id_is_rejected()
    {
        await using var h = await AutoOpsRuleHarness.StartAsync();
        var create = Rule();
        (await h.SendRuleCommandAsync(create)).ShouldBeAccepted("created");

        (await h.SendRuleCommandAsync(create)).ShouldBeAccepted("already exists");
        (await h.SendRuleCommandAsync(create with { FeatureVersion = 4 })).ShouldBeRejected("a different rule with this id exists");

        Assert.Equal(3, (await h.RuleRowAsync(create.RuleId))!.FeatureVersion);
        await DemandChangeAsync(h, create.RuleId, live: true);
        Assert.Single(h.PublishedFor<PersisterDemandChanged>(create.RuleId, m => m.RuleId ?? Guid.Empty));
    }

    [Fact]
    public async Task A_stopped_rule_is_no_longer_active_and_announces_it_once()
    {
        await using var h = await AutoOpsRuleHarness.StartAsync();
        var create = Rule();
        (await h.SendRuleCommandAsync(create)).ShouldBeAccepted("created");

        var stopped = (await h.SendRuleCommandAsync(new StopAutoOpsRule { RuleId = create.RuleId })).ShouldBeAccepted("stopped");
        (await h.SendRuleCommandAsync(new StopAutoOpsRule { RuleId = create.RuleId })).ShouldBeAccepted("already stopped");

        Assert.Equal(AutoOpsRuleStatus.Stopped, stopped.Status);
        Assert.Empty(await ActiveRulesAsync(h));
        await DemandChangeAsync(h, create.RuleId, live: false);
        Assert.Single(h.PublishedFor<PersisterDemandChanged>(create.RuleId, m => m.RuleId ?? Guid.Empty), m => !m.IsLive);
    }

    [Fact]
    public async Task A_deleted_rule_cannot_be_stopped_or_created_again()
    {
        await using var h = await AutoOpsRuleHarness.StartAsync();
        var create = Rule();
        (await h.SendRuleCommandAsync(create)).ShouldBeAccepted("created");

        var deleted = (await h.SendRuleCommandAsync(new DeleteAutoOpsRule { RuleId = create.RuleId })).ShouldBeAccepted("deleted");
        (await h.SendRuleCommandAsync(new DeleteAutoOpsRule { RuleId = create.RuleId })).ShouldBeAccepted("already deleted");
        (await h.SendRuleCommandAsync(new StopAutoOpsRule { RuleId = create.RuleId })).ShouldBeRejected("a deleted rule cannot be stopped");
        (await h.SendRuleCommandAsync(create)).ShouldBeRejected("a deleted rule's id cannot be used again");

        Assert.True(deleted.Deleted);
        Assert.True((await h.RuleRowAsync(create.RuleId))!.Deleted);
        Assert.Empty(await ActiveRulesAsync(h));
        await DemandChangeAsync(h, create.RuleId, live: false);
    }

    [Fact]
    public async Task Deleting_a_stopped_rule_changes_no_demand()
    {
        await using var h = await AutoOpsRuleHarness.StartAsync();
        var create = Rule();
        (await h.SendRuleCommandAsync(create)).ShouldBeAccepted("created");
        (await h.SendRuleCommandAsync(new StopAutoOpsRule { RuleId = create.RuleId })).ShouldBeAccepted("stopped");
        await DemandChangeAsync(h, create.RuleId, live: false);

        (await h.SendRuleCommandAsync(new DeleteAutoOpsRule { RuleId = create.RuleId })).ShouldBeAccepted("deleted");

        Assert.Equal(2, h.PublishedFor<PersisterDemandChanged>(create.RuleId, m => m.RuleId ?? Guid.Empty).Count);
    }

    public static TheoryData<string> UnknownRuleCommands => [StopAutoOpsRule.MessageName, DeleteAutoOpsRule.MessageName];

    [Theory]
    [MemberData(nameof(UnknownRuleCommands))]
    public async Task A_command_for_an_unknown_rule_is_rejected(string command)
    {
        await using var h = await AutoOpsRuleHarness.StartAsync();
        var id = Guid.NewGuid();

        var rejected = (command == StopAutoOpsRule.MessageName
            ? await h.SendRuleCommandAsync(new StopAutoOpsRule { RuleId = id })
            : await h.SendRuleCommandAsync(new DeleteAutoOpsRule { RuleId = id })).ShouldBeRejected("no such rule");

        Assert.Equal(command, rejected.Command);
        Assert.Null(rejected.Status);
        Assert.Null(await h.RuleRowAsync(id));
    }

    public static TheoryData<string, string> InvalidRules => new()
    {
        { "no-id", "RuleId is required" },
        { "no-feature", "FeatureId is required" },
        { "no-clauses", "at least one clause" },
        { "zero-min-count", "MinCount must be at least 1" },
        { "threshold-above-one", "Threshold must be in (0, 1]" },
        { "enable-action", "Action must be Disable" },
        { "duplicate-clause", "is used twice" },
        { "no-goal", "GoalId is required" },
    };

    [Theory]
    [MemberData(nameof(InvalidRules))]
    public async Task An_invalid_rule_is_rejected_with_the_reason_and_not_stored(string problem, string reason)
    {
        await using var h = await AutoOpsRuleHarness.StartAsync();
        var valid = Rule();
        var clause = valid.Clauses[0];
        var create = problem switch
        {
            "no-id" => valid with { RuleId = Guid.Empty },
            "no-feature" => valid with { FeatureId = " " },
            "no-clauses" => valid with { Clauses = [] },
            "zero-min-count" => valid with { Clauses = [clause with { MinCount = 0 }] },
            "threshold-above-one" => valid with { Clauses = [clause with { Threshold = 1.5 }] },
            "enable-action" => valid with { Clauses = [clause with { Action = AutoOpsAction.Enable }] },
            "duplicate-clause" => valid with { Clauses = [clause, clause with { GoalId = "other" }] },
            "no-goal" => valid with { Clauses = [clause with { GoalId = "" }] },
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        (await h.SendRuleCommandAsync(create)).ShouldBeRejected(reason);

        Assert.Null(await h.RuleRowAsync(create.RuleId));
        Assert.Empty(await ActiveRulesAsync(h));
    }
}
