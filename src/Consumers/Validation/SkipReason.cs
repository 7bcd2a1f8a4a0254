namespace Persisters.Consumers.Validation;

/// <summary>Why an event was not stored. Each is a label of the <c>persisters_events_skipped</c> metric.</summary>
public enum SkipReason
{
    // Bad input.
    MissingEvents,
    MalformedEvent,
    MissingId,
    MissingEnvironment,
    MissingFeature,
    MissingGoal,
    MissingUser,
    FieldTooLong,
    UserDataTooLarge,
    InvalidTimestamp,
    TimestampInFuture,
    InvalidValue,

    // Valid, but nothing needs it.
    UnknownEnvironment,
    ExperimentNotFound,
    BeforeExperimentStarted,
    AfterExperimentEnded,
    GoalBeforeEvaluation,
    RuleNotFound,
    FeatureVersionMismatch,
    ClauseNotFound,
    RetryExpired,
}

public static class SkipReasonExtensions
{
    /// <summary>True for reasons that mean the sender sent something wrong (logged as warnings).</summary>
    public static bool IsBadInput(this SkipReason reason) => reason <= SkipReason.InvalidValue;

    public static string Label(this SkipReason reason) => reason switch
    {
        SkipReason.MissingEvents => "missing_events",
        SkipReason.MalformedEvent => "malformed_event",
        SkipReason.MissingId => "missing_id",
        SkipReason.MissingEnvironment => "missing_environment",
        SkipReason.MissingFeature => "missing_feature",
        SkipReason.MissingGoal => "missing_goal",
        SkipReason.MissingUser => "missing_user",
        SkipReason.FieldTooLong => "field_too_long",
        SkipReason.UserDataTooLarge => "user_data_too_large",
        SkipReason.InvalidTimestamp => "invalid_timestamp",
        SkipReason.TimestampInFuture => "timestamp_in_future",
        SkipReason.InvalidValue => "invalid_value",
        SkipReason.UnknownEnvironment => "unknown_environment",
        SkipReason.ExperimentNotFound => "experiment_not_found",
        SkipReason.BeforeExperimentStarted => "before_experiment_started",
        SkipReason.AfterExperimentEnded => "after_experiment_ended",
        SkipReason.GoalBeforeEvaluation => "goal_before_evaluation",
        SkipReason.RuleNotFound => "rule_not_found",
        SkipReason.FeatureVersionMismatch => "feature_version_mismatch",
        SkipReason.ClauseNotFound => "clause_not_found",
        SkipReason.RetryExpired => "retry_expired",
        _ => reason.ToString(),
    };
}
