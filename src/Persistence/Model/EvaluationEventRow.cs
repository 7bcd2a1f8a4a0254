namespace Persisters.Persistence.Model;

/// <summary>One evaluation event of a flag under a live experiment (table <c>evaluation_event</c>, keyed by the event id).</summary>
public sealed class EvaluationEventRow
{
    public string Id { get; set; } = "";
    public string EnvironmentId { get; set; } = "";
    /// <summary>Unix seconds.</summary>
    public long Timestamp { get; set; }
    public string FeatureId { get; set; } = "";
    public int FeatureVersion { get; set; }
    public string UserId { get; set; } = "";
    public string? UserData { get; set; }
    public string VariationId { get; set; } = "";
    public string Reason { get; set; } = "";
    public string Tag { get; set; } = "";
    public string SourceId { get; set; } = "";
    public string SdkVersion { get; set; } = "";
    /// <summary>Unix milliseconds when the row was written.</summary>
    public long CreatedAt { get; set; }
}
