using Persisters.Contracts;

namespace Persisters.Consumers.AutoOps;

/// <summary>
/// Whether an event-rate clause's ops counts cross its threshold: the reference's assessment (Bucketeer
/// <c>pkg/batch/jobs/opsevent</c>, reference §8.2), on exact counts instead of HyperLogLog estimates (README, "Kill switch").
/// </summary>
public static class EventRateAssessment
{
    /// <summary>The outcome for one clause: the counts it was assessed on and whether it triggers.</summary>
    /// <param name="EvaluationUsers">Distinct users served the clause's variation.</param>
    /// <param name="GoalUsers">Distinct users who reached the clause's goal, clamped to <paramref name="EvaluationUsers"/>.</param>
    /// <param name="Rate"><paramref name="GoalUsers"/> / <paramref name="EvaluationUsers"/> in [0, 1]; 0 with no evaluation users.</param>
    public readonly record struct Outcome(bool Triggers, long EvaluationUsers, long GoalUsers, double Rate);

    /// <summary>
    /// Assesses <paramref name="clause"/> on the distinct-user counts of its flag version:
    /// <list type="number">
    /// <item>no evaluation users or no goal users: does not trigger (the reference skips such a clause);</item>
    /// <item>fewer than <c>MinCount</c> goal users: does not trigger (the reference's minimum applies to the goal users, before the clamp);</item>
    /// <item>more goal users than evaluation users (goal events of users whose evaluation was lost or not yet counted): the goal users are
    /// clamped to the evaluation users (reference PR #1606);</item>
    /// <item>rate = goal users / evaluation users; <c>GreaterOrEqual</c> triggers when rate ≥ threshold, <c>LessOrEqual</c> when rate ≤
    /// threshold.</item>
    /// </list>
    /// Counts are non-negative; a negative count is treated as 0.
    /// </summary>
    public static Outcome Assess(EventRateClause clause, long evaluationUsers, long goalUsers)
    {
        ArgumentNullException.ThrowIfNull(clause);
        evaluationUsers = Math.Max(0, evaluationUsers);
        goalUsers = Math.Max(0, goalUsers);
        var minCount = Math.Max(1, clause.MinCount);
        var below = evaluationUsers == 0 || goalUsers == 0 || goalUsers < minCount;
        goalUsers = Math.Min(goalUsers, evaluationUsers);
        var rate = evaluationUsers == 0 ? 0 : (double)goalUsers / evaluationUsers;
        if (below) return new Outcome(false, evaluationUsers, goalUsers, rate);
        var triggers = clause.Operator switch
        {
            RateOperator.GreaterOrEqual => rate >= clause.Threshold,
            RateOperator.LessOrEqual => rate <= clause.Threshold,
            _ => false,
        };
        return new Outcome(triggers, evaluationUsers, goalUsers, rate);
    }
}
