namespace Persisters.Persistence.Model;

/// <summary>One goal event attributed to one experiment (table <c>goal_event</c>, keyed by event id and experiment).</summary>
public sealed class GoalEventRow
{
    public string Id { get; set; } = "";
    public Guid ExperimentId { get; set; }
    public string EnvironmentId { get; set; } = "";
    public long Timestamp { get; set; }
    public string GoalId { get; set; } = "";
    public double Value { get; set; }
    public string UserId { get; set; } = "";
    public string? UserData { get; set; }
    public string Tag { get; set; } = "";
    public string SourceId { get; set; } = "";
    public string SdkVersion { get; set; } = "";
    /// <summary>From the linked evaluation: the variation the user actually saw.</summary>
    public string FeatureId { get; set; } = "";
    public int FeatureVersion { get; set; }
    public string VariationId { get; set; } = "";
    public string Reason { get; set; } = "";
    public long CreatedAt { get; set; }
}
