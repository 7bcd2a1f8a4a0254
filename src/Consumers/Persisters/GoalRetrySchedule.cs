using System.Text.Json;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// When a parked goal event (one whose user has no stored evaluation yet, table <c>goal_event_retry</c>) is tried again, and
/// when it is given up (<see cref="GoalRetrySettings"/>; times in unix seconds). <see cref="GoalEventsDwhPersister"/> parks,
/// <see cref="GoalRetryWorker"/> tries again.
/// </summary>
public static class GoalRetrySchedule
{
    /// <summary>The parked row of <paramref name="e"/>: its JSON, no attempt yet, the first attempt one backoff after <paramref name="now"/>.</summary>
    public static GoalEventRetryRow Park(GoalEvent e, DateTimeOffset now, GoalRetrySettings settings) => new()
    {
        EventId = e.Id,
        EnvironmentId = e.EnvironmentId,
        Payload = JsonSerializer.Serialize(e, StoredJson.Options),
        Attempts = 0,
        FirstAttemptAt = now.ToUnixTimeSeconds(),
        NextAttemptAt = now.ToUnixTimeSeconds() + (long)Math.Ceiling(Backoff(0, settings).TotalSeconds),
    };

    /// <summary>The parked event as written by <see cref="Park"/>; <see cref="JsonException"/> when the payload cannot be read.</summary>
    public static GoalEvent? Read(string payload) => JsonSerializer.Deserialize<GoalEvent>(payload, StoredJson.Options);

    /// <summary>Whether a parked event first tried at <paramref name="firstAttemptAt"/> has waited its <see cref="GoalRetrySettings.MaxPeriod"/>.</summary>
    public static bool HasExpired(long firstAttemptAt, DateTimeOffset now, GoalRetrySettings settings) =>
        now.ToUnixTimeSeconds() - firstAttemptAt >= (long)settings.MaxPeriod.TotalSeconds;

    /// <summary>
    /// Exponential backoff (×2 per attempt) from the initial interval, capped at the largest
    /// power-of-two multiple of it within the retry period, with ±25% jitter so parked events spread out; at least 1 s.
    /// </summary>
    public static TimeSpan Backoff(int attempts, GoalRetrySettings settings)
    {
        var initial = settings.InitialInterval.TotalSeconds;
        var capExponent = Math.Max(0, Math.Floor(Math.Log2(Math.Max(1, settings.MaxPeriod.TotalSeconds / Math.Max(initial, 0.001)))));
        var interval = initial * Math.Pow(2, Math.Min(attempts, capExponent));
        var jitter = 1 + (Random.Shared.NextDouble() - 0.5) * 0.5;
        return TimeSpan.FromSeconds(Math.Max(1, interval * jitter));
    }
}
