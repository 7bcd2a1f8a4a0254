using Persisters.Consumers.Persisters;
using Persisters.Consumers.Validation;
using Persisters.Contracts;
using Persisters.Persistence.Writers;

namespace Persisters.Consumers.Definitions;

/// <summary>
/// The one rule set of "is this event needed?", asked of a valid event against the live definitions
/// (<see cref="LiveDefinitions.Snapshot"/>): the experiment window, the flag version and the clause lookup (reference §3–§5).
/// Each method returns <c>null</c> when the event is needed, else the <see cref="SkipReason"/> it is skipped with.
/// </summary>
/// <remarks>
/// When several candidates miss, the reason is the last candidate's (the snapshot's order, i.e. the database's); with no
/// candidate it is <c>experiment_not_found</c> (DWH) or <c>rule_not_found</c> (OPS).
/// </remarks>
public static class Relevance
{
    /// <summary>
    /// Whether <paramref name="timestamp"/> (unix seconds) is in the experiment's window <c>[start_at, stop_at]</c>, both ends
    /// inclusive: <c>null</c> inside, <c>before_experiment_started</c> or <c>after_experiment_ended</c> outside.
    /// </summary>
    public static SkipReason? Window(ExperimentDefinition experiment, long timestamp) =>
        timestamp < experiment.StartAt ? SkipReason.BeforeExperimentStarted
        : timestamp > experiment.StopAt ? SkipReason.AfterExperimentEnded
        : null;

    /// <summary>DWH: an evaluation is needed when its flag version is under a live experiment whose window holds it.</summary>
    public static SkipReason? OfEvaluation(LiveDefinitions.Snapshot live, EvaluationEvent e) =>
        live.HasExperimentsIn(e.EnvironmentId)
            ? InAnyWindow(live.ExperimentsOfFeature(e.EnvironmentId, e.FeatureId, e.FeatureVersion), e.Timestamp, into: null)
            : SkipReason.UnknownEnvironment;

    /// <summary>
    /// DWH: a goal is needed by every live experiment that lists the goal and whose window holds it; those are added to
    /// <paramref name="experiments"/> (one row each once linked).
    /// </summary>
    public static SkipReason? OfGoal(LiveDefinitions.Snapshot live, GoalEvent e, ICollection<ExperimentDefinition> experiments) =>
        live.HasExperimentsIn(e.EnvironmentId)
            ? InAnyWindow(live.ExperimentsOfGoal(e.EnvironmentId, e.GoalId), e.Timestamp, experiments)
            : SkipReason.UnknownEnvironment;

    /// <summary>
    /// OPS: the ops counts an evaluation feeds, one per clause whose variation it was served, of every active rule on its flag
    /// at its flag version; each is handed to <paramref name="counter"/>. <c>feature_version_mismatch</c> when the flag has
    /// rules but none at this version, <c>clause_not_found</c> when none of their clauses is about the variation.
    /// </summary>
    public static SkipReason? CountersOfEvaluation(LiveDefinitions.Snapshot live, EvaluationEvent e, Action<OpsCounterKey> counter)
    {
        if (!live.HasRulesIn(e.EnvironmentId)) return SkipReason.UnknownEnvironment;
        var rules = live.RulesOfFeature(e.EnvironmentId, e.FeatureId);
        if (rules.Count == 0) return SkipReason.RuleNotFound;

        var variation = EventRows.Variation(e.VariationId);
        SkipReason? reason = SkipReason.ClauseNotFound;
        var versionMatched = false;
        foreach (var rule in rules)
        {
            if (rule.FeatureVersion != e.FeatureVersion) continue;
            versionMatched = true;
            foreach (var clause in rule.Clauses)
            {
                if (clause.VariationId != variation) continue;
                counter(new OpsCounterKey(clause.ClauseId, OpsCounterKind.Evaluation, rule.FeatureVersion, rule.RuleId, rule.EnvironmentId, rule.FeatureId));
                reason = null;
            }
        }
        return versionMatched ? reason : SkipReason.FeatureVersionMismatch;
    }

    /// <summary>OPS: the ops counts a goal feeds, one per clause about the goal of every active rule; each is handed to <paramref name="counter"/>.</summary>
    public static SkipReason? CountersOfGoal(LiveDefinitions.Snapshot live, GoalEvent e, Action<OpsCounterKey> counter)
    {
        if (!live.HasRulesIn(e.EnvironmentId)) return SkipReason.UnknownEnvironment;
        var clauses = live.ClausesOfGoal(e.EnvironmentId, e.GoalId);
        if (clauses.Count == 0) return SkipReason.RuleNotFound;
        foreach (var (rule, clause) in clauses)
        {
            counter(new OpsCounterKey(clause.ClauseId, OpsCounterKind.Goal, rule.FeatureVersion, rule.RuleId, rule.EnvironmentId, rule.FeatureId));
        }
        return null;
    }

    /// <summary>
    /// <c>null</c> when a candidate's window holds the time: the first one ends the search, or with <paramref name="into"/>
    /// every one is added to it. Else the last candidate's reason, <c>experiment_not_found</c> without candidates.
    /// </summary>
    private static SkipReason? InAnyWindow(IReadOnlyList<ExperimentDefinition> candidates, long timestamp, ICollection<ExperimentDefinition>? into)
    {
        var reason = SkipReason.ExperimentNotFound;
        var inside = false;
        foreach (var x in candidates)
        {
            if (Window(x, timestamp) is { } outside) reason = outside;
            else if (into is null) return null;
            else
            {
                into.Add(x);
                inside = true;
            }
        }
        return inside ? null : reason;
    }
}
