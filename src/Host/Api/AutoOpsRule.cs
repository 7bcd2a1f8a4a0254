using System.Text.Json.Serialization;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;

namespace Persisters.Host.Api;

/// <summary>An auto-ops rule (<c>GET /v1/auto-ops-rules[/{ruleId}]</c>), read from table <c>auto_ops_rule</c>.</summary>
/// <param name="Clauses">Its event-rate clauses: when goal users / evaluation users of <c>variationId</c> crosses <c>threshold</c> (a share, 0 to 1)
/// after at least <c>minCount</c> goal users, the kill switch disables the feature.</param>
/// <param name="Status">Waiting or Running (counting), Finished (triggered) or Stopped.</param>
/// <param name="Deleted">Deleted rules are left out of the list but can still be read by id.</param>
/// <param name="CreatedAt">Unix seconds.</param>
/// <param name="UpdatedAt">Unix seconds of the last change.</param>
/// <param name="TriggeredClauseId">The clause that triggered the kill switch; null until it did.</param>
/// <param name="TriggeredAtMs">When it triggered, unix <b>milliseconds</b>; null until it did.</param>
/// <param name="TriggeredEvaluationCount">Evaluation users of the triggering clause at that moment.</param>
/// <param name="TriggeredOpsEventCount">Goal users (ops count) of the triggering clause at that moment.</param>
public sealed record AutoOpsRule(
    Guid RuleId,
    string EnvironmentId,
    string FeatureId,
    int FeatureVersion,
    IReadOnlyList<EventRateClause> Clauses,
    [property: JsonConverter(typeof(JsonStringEnumConverter<AutoOpsRuleStatus>))] AutoOpsRuleStatus Status,
    bool Deleted,
    long CreatedAt,
    long UpdatedAt,
    Guid? TriggeredClauseId,
    long? TriggeredAtMs,
    long? TriggeredEvaluationCount,
    long? TriggeredOpsEventCount)
{
    public static AutoOpsRule From(AutoOpsRuleRow row) =>
        new(row.Id, row.EnvironmentId, row.FeatureId, row.FeatureVersion, DefinitionStore.ToDefinition(row).Clauses, (AutoOpsRuleStatus)row.Status,
            row.Deleted, row.CreatedAt, row.UpdatedAt, row.TriggeredClauseId, row.TriggeredAt, row.TriggeredEvaluationCount, row.TriggeredOpsEventCount);
}
