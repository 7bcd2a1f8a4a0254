using System.ComponentModel.DataAnnotations;

namespace Persisters.Consumers;

/// <summary>Section <c>Persisters:GoalRetry</c>: goal events whose user has no stored evaluation yet, parked and tried again.</summary>
public sealed class GoalRetrySettings : IValidatableObject
{
    /// <summary>First wait before a goal event without an evaluation is tried again; doubled per attempt. Above 0, at most 1 day.</summary>
    public TimeSpan InitialInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After this long since the first attempt the goal event is dropped: counted in <c>persisters_events_skipped_total{reason="retry_expired"}</c>
    /// and <c>persisters_goal_retries_total{outcome="expired"}</c>. At least <see cref="InitialInterval"/>, at most 365 days.
    /// </summary>
    public TimeSpan MaxPeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often each host looks for due retries; above 0, at most 1 day.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Parked goal events taken per attempt.</summary>
    [Range(1, 5000, ErrorMessage = "must be from {1} to {2}.")]
    public int BatchSize { get; set; } = 500;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (InitialInterval <= TimeSpan.Zero || InitialInterval > PersisterOptions.OneDay)
        {
            yield return new("Persisters:GoalRetry:InitialInterval must be above 0 and at most 1.00:00:00.", [nameof(InitialInterval)]);
        }
        if (MaxPeriod < InitialInterval || MaxPeriod > PersisterOptions.OneYear)
        {
            yield return new("Persisters:GoalRetry:MaxPeriod must be at least InitialInterval and at most 365.00:00:00.", [nameof(MaxPeriod)]);
        }
        if (PollInterval <= TimeSpan.Zero || PollInterval > PersisterOptions.OneDay)
        {
            yield return new("Persisters:GoalRetry:PollInterval must be above 0 and at most 1.00:00:00.", [nameof(PollInterval)]);
        }
    }
}
