using Persisters.Consumers.Definitions;
using Persisters.Consumers.Validation;
using Persisters.Contracts;
using Persisters.Persistence.Writers;
using Persisters.Tests.Support;

namespace Persisters.Tests.Persisters;

/// <summary>The one relevance rule set (<see cref="Relevance"/>) the DWH persisters, the goal linker and the OPS counting ask.</summary>
public sealed class When_relevance_is_decided
{
    private const long Now = 1_790_000_000;

    private static LiveDefinitions.Snapshot Live(IReadOnlyList<ExperimentDefinition>? experiments = null, IReadOnlyList<AutoOpsRuleDefinition>? rules = null) =>
        new(DateTimeOffset.FromUnixTimeSeconds(Now), experiments ?? [], rules ?? []);

    private static ExperimentDefinition Experiment(long startAt, long stopAt, int version = 1, string goal = "goal-1") =>
        Events.Experiment(Now, version: version, goal: goal, startAt: startAt, stopAt: stopAt);

    private static AutoOpsRuleDefinition Rule(int version, params (string Variation, string Goal)[] clauses) => new()
    {
        RuleId = Guid.NewGuid(),
        EnvironmentId = Events.Env,
        FeatureId = "flag-1",
        FeatureVersion = version,
        Status = AutoOpsRuleStatus.Running,
        Clauses = clauses.Select(c => new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = c.Variation, GoalId = c.Goal, MinCount = 1, Threshold = 0.5 }).ToList(),
    };

    [Fact]
    public void The_window_holds_both_of_its_ends_and_names_the_side_an_event_misses_on()
    {
        var x = Experiment(Now - 100, Now + 100);

        Assert.Null(Relevance.Window(x, Now - 100));
        Assert.Null(Relevance.Window(x, Now + 100));
        Assert.Equal(SkipReason.BeforeExperimentStarted, Relevance.Window(x, Now - 101));
        Assert.Equal(SkipReason.AfterExperimentEnded, Relevance.Window(x, Now + 101));
    }

    [Fact]
    public void An_evaluation_is_needed_only_for_its_flag_version_inside_a_window()
    {
        var live = Live([Experiment(Now - 100, Now - 50), Experiment(Now + 50, Now + 100), Experiment(Now - 10, Now + 10, version: 2)]);

        Assert.Equal(SkipReason.UnknownEnvironment, Relevance.OfEvaluation(live, Events.Evaluation(Now) with { EnvironmentId = "env-x" }));
        Assert.Equal(SkipReason.ExperimentNotFound, Relevance.OfEvaluation(live, Events.Evaluation(Now, version: 3)));
        Assert.Equal(SkipReason.ExperimentNotFound, Relevance.OfEvaluation(live, Events.Evaluation(Now, feature: "flag-2")));
        // Version 1 has two experiments, neither holding the time: the last candidate's side is named.
        Assert.Equal(SkipReason.BeforeExperimentStarted, Relevance.OfEvaluation(live, Events.Evaluation(Now)));
        Assert.Null(Relevance.OfEvaluation(live, Events.Evaluation(Now - 75)));
        Assert.Null(Relevance.OfEvaluation(live, Events.Evaluation(Now, version: 2)));
        Assert.Equal(SkipReason.UnknownEnvironment, Relevance.OfEvaluation(Live(), Events.Evaluation(Now)));
    }

    [Fact]
    public void A_goal_is_needed_by_every_experiment_of_the_goal_whose_window_holds_it()
    {
        var early = Experiment(Now - 100, Now + 100);
        var late = Experiment(Now + 50, Now + 100);
        var wide = Experiment(Now - 1000, Now + 1000, version: 2);
        var other = Experiment(Now - 1000, Now + 1000, goal: "goal-2");
        var live = Live([early, late, wide, other]);

        var needed = new List<ExperimentDefinition>();
        Assert.Null(Relevance.OfGoal(live, Events.Goal(Now), needed));
        Assert.Equal([early.ExperimentId, wide.ExperimentId], needed.Select(x => x.ExperimentId));

        needed.Clear();
        Assert.Equal(SkipReason.AfterExperimentEnded, Relevance.OfGoal(live, Events.Goal(Now + 1001), needed));
        Assert.Empty(needed);
        Assert.Null(Relevance.OfGoal(live, Events.Goal(Now + 75), needed));
        Assert.Equal([early.ExperimentId, late.ExperimentId, wide.ExperimentId], needed.Select(x => x.ExperimentId));
        Assert.Equal(SkipReason.ExperimentNotFound, Relevance.OfGoal(live, Events.Goal(Now, goal: "goal-3"), needed));
        Assert.Equal(SkipReason.UnknownEnvironment, Relevance.OfGoal(live, Events.Goal(Now) with { EnvironmentId = "env-x" }, needed));
    }

    [Fact]
    public void An_evaluation_feeds_the_counts_of_the_clauses_of_its_variation_at_its_flag_version()
    {
        var v3 = Rule(3, ("B", "error"), ("A", "error"), ("B", "crash"));
        var live = Live(rules: [v3, Rule(4, ("B", "error"))]);
        var counters = new List<OpsCounterKey>();

        Assert.Null(Relevance.CountersOfEvaluation(live, Events.Evaluation(Now, variation: "B", version: 3), counters.Add));
        Assert.Equal([v3.Clauses[0].ClauseId, v3.Clauses[2].ClauseId], counters.Select(c => c.ClauseId));
        Assert.All(counters, c => Assert.Equal((OpsCounterKind.Evaluation, 3, v3.RuleId), (c.Kind, c.FeatureVersion, c.RuleId)));

        counters.Clear();
        Assert.Equal(SkipReason.ClauseNotFound, Relevance.CountersOfEvaluation(live, Events.Evaluation(Now, variation: "C", version: 3), counters.Add));
        // An empty variation is the reference's "default", which no clause names here.
        Assert.Equal(SkipReason.ClauseNotFound, Relevance.CountersOfEvaluation(live, Events.Evaluation(Now, variation: "", version: 3), counters.Add));
        Assert.Equal(SkipReason.FeatureVersionMismatch, Relevance.CountersOfEvaluation(live, Events.Evaluation(Now, variation: "B", version: 5), counters.Add));
        Assert.Equal(SkipReason.RuleNotFound, Relevance.CountersOfEvaluation(live, Events.Evaluation(Now, feature: "flag-2"), counters.Add));
        Assert.Equal(SkipReason.UnknownEnvironment, Relevance.CountersOfEvaluation(Live(), Events.Evaluation(Now), counters.Add));
        Assert.Empty(counters);
    }

    [Fact]
    public void A_goal_feeds_the_counts_of_every_clause_about_its_goal_whatever_the_version()
    {
        var v3 = Rule(3, ("B", "error"), ("A", "error"), ("B", "crash"));
        var v4 = Rule(4, ("A", "error"));
        var live = Live(rules: [v3, v4]);
        var counters = new List<OpsCounterKey>();

        Assert.Null(Relevance.CountersOfGoal(live, Events.Goal(Now, goal: "error"), counters.Add));
        Assert.Equal([v3.Clauses[0].ClauseId, v3.Clauses[1].ClauseId, v4.Clauses[0].ClauseId], counters.Select(c => c.ClauseId));
        Assert.All(counters, c => Assert.Equal(OpsCounterKind.Goal, c.Kind));
        Assert.Equal(SkipReason.RuleNotFound, Relevance.CountersOfGoal(live, Events.Goal(Now, goal: "other"), counters.Add));
        Assert.Equal(SkipReason.UnknownEnvironment, Relevance.CountersOfGoal(Live(), Events.Goal(Now, goal: "error"), counters.Add));
    }
}
