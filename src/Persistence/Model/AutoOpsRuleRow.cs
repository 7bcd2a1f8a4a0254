namespace Persisters.Persistence.Model;

/// <summary>An auto-ops rule (table <c>auto_ops_rule</c>); its event-rate clauses as JSON. Active: <see cref="ActiveAutoOpsRule"/>.</summary>
public sealed class AutoOpsRuleRow
{
    public Guid Id { get; set; }
    public string EnvironmentId { get; set; } = "";
    public string FeatureId { get; set; } = "";
    public int FeatureVersion { get; set; }
    public string Clauses { get; set; } = "[]";
    public int Status { get; set; }
    public bool Deleted { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    /// <summary>The clause that triggered the rule (it is then Finished); null until then.</summary>
    public Guid? TriggeredClauseId { get; set; }
    /// <summary>Unix milliseconds when the rule triggered; null until then.</summary>
    public long? TriggeredAt { get; set; }
    /// <summary>Distinct evaluation users of the triggering clause when it triggered.</summary>
    public long? TriggeredEvaluationCount { get; set; }
    /// <summary>Distinct goal users of the triggering clause when it triggered (before clamping to the evaluation users).</summary>
    public long? TriggeredOpsEventCount { get; set; }
}
