using System.Text.Json.Serialization;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;

namespace Persisters.Host.Api;

/// <summary>An experiment as the operator API shows it (<c>GET /v1/experiments[/{experimentId}]</c>), read from table <c>experiment</c>.</summary>
/// <param name="StartAt">Planned start, unix seconds.</param>
/// <param name="StopAt">Planned stop, unix seconds (moved to the stop time by stop and force-stop).</param>
/// <param name="StoppedAt">When it was stopped or force-stopped, unix seconds; null while not stopped.</param>
/// <param name="Status">The lifecycle status by name: Waiting, Running, Stopped (taking late events), ForceStopped or Finished.</param>
/// <param name="Archived">Archived experiments are left out of the list unless <c>?all=true</c>.</param>
/// <param name="CreatedAt">Unix seconds.</param>
/// <param name="UpdatedAt">Unix seconds of the last change.</param>
public sealed record Experiment(
    Guid ExperimentId,
    string Name,
    string EnvironmentId,
    string FeatureId,
    int FeatureVersion,
    IReadOnlyList<string> VariationIds,
    string BaselineVariationId,
    IReadOnlyList<string> GoalIds,
    long StartAt,
    long StopAt,
    long? StoppedAt,
    [property: JsonConverter(typeof(JsonStringEnumConverter<ExperimentStatus>))] ExperimentStatus Status,
    bool Archived,
    long CreatedAt,
    long UpdatedAt)
{
    public static Experiment From(ExperimentRow row)
    {
        var d = DefinitionStore.ToDefinition(row);
        return new Experiment(row.Id, row.Name, row.EnvironmentId, row.FeatureId, row.FeatureVersion, d.VariationIds, row.BaseVariationId, d.GoalIds,
            row.StartAt, row.StopAt, row.StoppedAt, d.Status, row.Archived, row.CreatedAt, row.UpdatedAt);
    }
}

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

/// <summary>The experiment lifecycle's answer to an accepted command (200): the experiment, its status after the command, and what happened
/// ("started", "already running", …).</summary>
public sealed record ExperimentCommandAnswer(
    Guid ExperimentId,
    [property: JsonConverter(typeof(JsonStringEnumConverter<ExperimentStatus>))] ExperimentStatus Status,
    string Detail);

/// <summary>The auto-ops rule consumer's answer to an accepted command (200).</summary>
/// <param name="Command">The command's wire name, e.g. <c>StopEventRateRule</c> for <see cref="StopAutoOpsRule"/> (the names before the auto-ops rename, kept for clients that compare them).</param>
/// <param name="Detail">What happened, e.g. "created", "stopped", "already deleted".</param>
public sealed record AutoOpsRuleCommandAnswer(
    Guid RuleId,
    string Command,
    [property: JsonConverter(typeof(JsonStringEnumConverter<AutoOpsRuleStatus>))] AutoOpsRuleStatus Status,
    bool Deleted,
    string Detail);

/// <summary>Body of <c>POST /v1/experiments/{experimentId}/period</c>.</summary>
/// <param name="StartAt">Unix seconds. A running experiment's start may move earlier, not into the future.</param>
/// <param name="StopAt">Unix seconds; after <paramref name="StartAt"/> and in the future.</param>
public sealed record ExperimentPeriod(long StartAt, long StopAt);

/// <summary>The answer of <c>POST /v1/experiments/{experimentId}/calculations</c> (202): the calculation was queued.</summary>
/// <param name="Results">Where the new document will be once calculated (its <c>calculatedAt</c> moves).</param>
public sealed record CalculationRequested(Guid ExperimentId, string Results, string Detail);

/// <summary>The body of <c>POST /v1/events</c> (documentation of its shape; the endpoint reads each event on its own).</summary>
/// <param name="EvaluationEvents">Fields of <see cref="EvaluationEvent"/> in camelCase; timestamps in unix seconds.</param>
/// <param name="GoalEvents">Fields of <see cref="GoalEvent"/> in camelCase; timestamps in unix seconds.</param>
public sealed record EventsRequest(IReadOnlyList<EvaluationEvent>? EvaluationEvents, IReadOnlyList<GoalEvent>? GoalEvents);
