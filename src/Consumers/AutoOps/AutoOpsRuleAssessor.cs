using Microsoft.Extensions.Logging;
using Persisters.Consumers.Definitions;
using Persisters.Consumers.Diagnostics;
using Persisters.Contracts;
using Persisters.Persistence.Model;
using Persisters.Persistence.Writers;

namespace Persisters.Consumers.AutoOps;

/// <summary>
/// Assesses auto-ops rules as their ops counts change: called by the OPS persisters inside the transaction that raised the
/// counts, it assesses every changed clause (<see cref="EventRateAssessment"/>) on the counts that transaction sees, and for a
/// clause that crosses, moves its rule to Finished and writes the trigger's outbox row, both only if the rule is still active
/// (<see cref="AutoOpsTriggerStore.TryTriggerAsync"/>). The dispatcher (<see cref="AutoOpsTriggerDispatcher"/>) publishes and
/// calls the webhook after the commit.
/// </summary>
public sealed class AutoOpsRuleAssessor(AutoOpsTriggerStore store, PersisterMetrics metrics, ILogger<AutoOpsRuleAssessor> logger)
{
    private readonly SemaphoreSlim _due = new(0, 1);

    /// <summary>
    /// Assesses the clauses whose counters <paramref name="changed"/> holds (counters that gained a user in this transaction) and
    /// triggers each rule at most once: rules in id order (the lock order across concurrent batches), clauses in the rule's order,
    /// the first clause that crosses triggers. Returns the triggers this transaction wrote.
    /// </summary>
    public async Task<IReadOnlyList<AutoOpsTriggerRow>> AssessAsync(DbSession s, IEnumerable<OpsCounterKey> changed, LiveDefinitions.Snapshot live,
        DateTimeOffset now, CancellationToken ct)
    {
        var byRule = changed.GroupBy(k => k.RuleId).OrderBy(g => g.Key).ToList();
        if (byRule.Count == 0) return [];
        var rules = live.Rules.ToDictionary(r => r.RuleId);
        var triggers = new List<AutoOpsTriggerRow>();
        foreach (var group in byRule)
        {
            if (!rules.TryGetValue(group.Key, out var rule)) continue;
            var clauseIds = group.Select(k => k.ClauseId).ToHashSet();
            foreach (var clause in rule.Clauses)
            {
                if (!clauseIds.Contains(clause.ClauseId)) continue;
                var (evaluations, goals) = await store.ReadCountsAsync(s, clause.ClauseId, rule.FeatureVersion, ct);
                var outcome = EventRateAssessment.Assess(clause, evaluations, goals);
                if (!outcome.Triggers) continue;
                var trigger = new AutoOpsTriggerRow
                {
                    Id = Guid.NewGuid(),
                    AutoOpsRuleId = rule.RuleId,
                    EnvironmentId = rule.EnvironmentId,
                    FeatureId = rule.FeatureId,
                    FeatureVersion = rule.FeatureVersion,
                    ClauseId = clause.ClauseId,
                    VariationId = clause.VariationId,
                    GoalId = clause.GoalId,
                    EvaluationCount = evaluations,
                    OpsEventCount = goals,
                    Threshold = clause.Threshold,
                    Operator = (int)clause.Operator,
                    TriggeredAt = now.ToUnixTimeMilliseconds(),
                    WebhookState = (int)WebhookDeliveryState.Pending,
                };
                if (await store.TryTriggerAsync(s, trigger, now.ToUnixTimeSeconds(), ct)) triggers.Add(trigger);
                // Triggered now, or no longer active (stopped, deleted, finished, or triggered by a concurrent batch): either way
                // no other clause of this rule can fire.
                break;
            }
        }
        return triggers;
    }

    /// <summary>After the commit: counts and logs the triggers and wakes this host's dispatcher.</summary>
    public void Committed(IReadOnlyList<AutoOpsTriggerRow> triggers)
    {
        if (triggers.Count == 0) return;
        foreach (var t in triggers)
        {
            metrics.RuleTriggered();
            logger.LogWarning("Auto-ops rule {RuleId} triggered on clause {ClauseId} ({FeatureId}:{FeatureVersion} in {EnvironmentId}): {GoalUsers} goal users of {EvaluationUsers} evaluation users {Operator} {Threshold}; trigger {TriggerId}",
                t.AutoOpsRuleId, t.ClauseId, t.FeatureId, t.FeatureVersion, t.EnvironmentId, t.OpsEventCount, t.EvaluationCount,
                (RateOperator)t.Operator == RateOperator.GreaterOrEqual ? ">=" : "<=", t.Threshold, t.Id);
        }
        Signal();
    }

    /// <summary>Wakes the dispatcher (at most one pending wake-up).</summary>
    public void Signal()
    {
        try
        {
            _due.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    /// <summary>Waits for <see cref="Signal"/> or the timeout.</summary>
    internal Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _due.WaitAsync(timeout, ct);
}
