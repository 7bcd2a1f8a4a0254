using System.Text.Json;

namespace Persisters.Persistence.Model;

/// <summary>An experiment as the persisters and the calculator see it (table <c>experiment</c>).</summary>
public sealed class ExperimentRow
{
    public Guid Id { get; set; }
    public string EnvironmentId { get; set; } = "";
    public string Name { get; set; } = "";
    public string FeatureId { get; set; } = "";
    public int FeatureVersion { get; set; }
    /// <summary>JSON array of variation ids.</summary>
    public string Variations { get; set; } = "[]";
    public string BaseVariationId { get; set; } = "";
    /// <summary>JSON array of goal ids.</summary>
    public string GoalIds { get; set; } = "[]";
    public long StartAt { get; set; }
    public long StopAt { get; set; }
    /// <summary>Unix seconds when it was stopped; null while not stopped.</summary>
    public long? StoppedAt { get; set; }
    /// <summary>An <c>ExperimentStatus</c>; also the lifecycle saga's state (one column, so the two cannot disagree).</summary>
    public int Status { get; set; }
    public bool Archived { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    /// <summary>Optimistic-concurrency token of the lifecycle saga: every change adds one, and an update expecting an older value fails.</summary>
    public int Version { get; set; }
    /// <summary>Lifecycle saga: token of the pending start timer (a timer whose token differs is stale and ignored).</summary>
    public Guid? StartTimerTokenId { get; set; }
    /// <summary>Lifecycle saga: token of the pending stop timer.</summary>
    public Guid? StopTimerTokenId { get; set; }
    /// <summary>Lifecycle saga: token of the pending end-of-late-event-tail timer.</summary>
    public Guid? FinishTimerTokenId { get; set; }

    /// <summary>
    /// Copies an experiment's definition into the row, the lists as the JSON arrays every reader expects
    /// (<see cref="StoredJson.Options"/>); times in unix seconds. Status, flags, time stamps and timer tokens are the caller's.
    /// </summary>
    public void SetDefinition(string environmentId, string name, string featureId, int featureVersion,
        IReadOnlyList<string> variationIds, string baselineVariationId, IReadOnlyList<string> goalIds, long startAt, long stopAt)
    {
        EnvironmentId = environmentId;
        Name = name;
        FeatureId = featureId;
        FeatureVersion = featureVersion;
        Variations = JsonSerializer.Serialize(variationIds, StoredJson.Options);
        BaseVariationId = baselineVariationId;
        GoalIds = JsonSerializer.Serialize(goalIds, StoredJson.Options);
        StartAt = startAt;
        StopAt = stopAt;
    }
}
