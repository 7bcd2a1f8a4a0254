namespace Persisters.Persistence.Model;

/// <summary>A goal event whose user had no evaluation yet; retried with backoff until linked or expired.</summary>
public sealed class GoalEventRetryRow
{
    public string EventId { get; set; } = "";
    public string EnvironmentId { get; set; } = "";
    /// <summary>The goal event as JSON.</summary>
    public string Payload { get; set; } = "";
    public int Attempts { get; set; }
    /// <summary>Unix seconds of the first failed link.</summary>
    public long FirstAttemptAt { get; set; }
    /// <summary>Unix seconds when the next attempt is due.</summary>
    public long NextAttemptAt { get; set; }
}
