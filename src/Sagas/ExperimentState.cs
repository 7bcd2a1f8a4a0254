using MassTransit;

namespace Persisters.Sagas;

/// <summary>
/// The lifecycle saga's instance: one experiment. Stored as the <c>experiment</c> row (see
/// <see cref="Persistence.ExperimentStateMapping"/>), so what the saga decides is what the persisters read.
/// </summary>
public sealed class ExperimentState : SagaStateMachineInstance, ISagaVersion
{
    /// <summary>The experiment id.</summary>
    public Guid CorrelationId { get; set; }
    /// <summary>State name; stored as the <c>status</c> column.</summary>
    public string CurrentState { get; set; } = "";
    public int Version { get; set; }

    public string EnvironmentId { get; set; } = "";
    public string Name { get; set; } = "";
    public string FeatureId { get; set; } = "";
    public int FeatureVersion { get; set; }
    public List<string> VariationIds { get; set; } = [];
    public string BaselineVariationId { get; set; } = "";
    public List<string> GoalIds { get; set; } = [];
    /// <summary>Unix seconds: planned start while waiting, actual start once running.</summary>
    public long StartAt { get; set; }
    /// <summary>Unix seconds: planned stop while running; the actual stop (never later than planned) once stopped.</summary>
    public long StopAt { get; set; }
    /// <summary>Unix seconds when a stop or force-stop was processed; null before.</summary>
    public long? StoppedAt { get; set; }
    public bool Archived { get; set; }
    /// <summary>Unix seconds; kept by the repository.</summary>
    public long CreatedAt { get; set; }
    /// <summary>Unix seconds of the last change; kept by the repository.</summary>
    public long UpdatedAt { get; set; }

    public Guid? StartTimerTokenId { get; set; }
    public Guid? StopTimerTokenId { get; set; }
    public Guid? FinishTimerTokenId { get; set; }

    /// <summary>
    /// Not stored: the clock read once for the message being processed, so every rule and time stamp of one message sees
    /// the same now (the instance is loaded afresh for every message and every retry).
    /// </summary>
    internal long? ProcessingTime { get; set; }
}
