namespace Persisters.Persistence.Model;

/// <summary>Exact distinct-user counters per clause and flag version (table <c>ops_count</c>).</summary>
public sealed class OpsCountRow
{
    public Guid ClauseId { get; set; }
    public int FeatureVersion { get; set; }
    public Guid AutoOpsRuleId { get; set; }
    public string EnvironmentId { get; set; } = "";
    public string FeatureId { get; set; } = "";
    public long EvaluationCount { get; set; }
    public long OpsEventCount { get; set; }
    public long UpdatedAt { get; set; }
}
