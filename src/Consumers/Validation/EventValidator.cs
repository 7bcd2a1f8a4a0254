using System.Text.Json;
using Persisters.Contracts;
using Persisters.Persistence;

namespace Persisters.Consumers.Validation;

/// <summary>
/// Checks an event against what the tables can hold and what a sane SDK sends. Lengths are in the columns' unit,
/// characters (Unicode code points: an emoji is one), with the limits of <see cref="PersistersDbContext"/>; user data in
/// UTF-8 bytes of its stored JSON. A value one over a limit is skipped as <c>field_too_long</c>: MariaDB would otherwise
/// truncate it silently under <c>INSERT IGNORE</c>.
/// </summary>
public sealed class EventValidator(long nowUnix, TimeSpan maxClockSkew, int maxUserDataBytes)
{
    private readonly long _latestAccepted = nowUnix + (long)maxClockSkew.TotalSeconds;

    /// <summary>The user id the reference resolves: the event's own, else the user object's.</summary>
    public static string ResolveUserId(string userId, UserInfo? user) => string.IsNullOrEmpty(userId) ? user?.Id ?? "" : userId;

    /// <summary>Why the evaluation cannot be stored, or <c>null</c> (the ingest front door asks only this).</summary>
    public SkipReason? Check(EvaluationEvent e) => Check(e, out _);

    /// <summary>Why the goal cannot be stored, or <c>null</c> (the ingest front door asks only this).</summary>
    public SkipReason? Check(GoalEvent e) => Check(e, out _);

    /// <summary>Why the evaluation cannot be stored, or <c>null</c>; <paramref name="userId"/> is its resolved user id (resolved once here).</summary>
    public SkipReason? Check(EvaluationEvent e, out string userId)
    {
        userId = ResolveUserId(e.UserId, e.User);
        return CheckCommon(e.Id, e.EnvironmentId, e.Timestamp, userId, e.Tag, e.SdkVersion)
            ?? (string.IsNullOrEmpty(e.FeatureId) ? SkipReason.MissingFeature : (SkipReason?)null)
            ?? (TooLong(e.FeatureId) || TooLong(e.VariationId) ? SkipReason.FieldTooLong : (SkipReason?)null);
    }

    /// <summary>Why the goal cannot be stored, or <c>null</c>; <paramref name="userId"/> is its resolved user id (resolved once here).</summary>
    public SkipReason? Check(GoalEvent e, out string userId)
    {
        userId = ResolveUserId(e.UserId, e.User);
        return CheckCommon(e.Id, e.EnvironmentId, e.Timestamp, userId, e.Tag, e.SdkVersion)
            ?? (string.IsNullOrEmpty(e.GoalId) ? SkipReason.MissingGoal : (SkipReason?)null)
            ?? (TooLong(e.GoalId) ? SkipReason.FieldTooLong : (SkipReason?)null)
            ?? (double.IsFinite(e.Value) ? (SkipReason?)null : SkipReason.InvalidValue);
    }

    /// <summary>
    /// The user's attributes as stored: a JSON object written with <see cref="StoredJson.Options"/> (text unescaped), or
    /// <c>user_data_too_large</c> when it is more than maxUserDataBytes UTF-8 bytes.
    /// </summary>
    public SkipReason? SerializeUserData(UserInfo? user, out string? json)
    {
        json = user is null ? null : JsonSerializer.Serialize(user.Data ?? new Dictionary<string, string>(), StoredJson.Options);
        return json is not null && ColumnText.Utf8Bytes(json) > maxUserDataBytes ? SkipReason.UserDataTooLarge : null;
    }

    private SkipReason? CheckCommon(string id, string environmentId, long timestamp, string userId, string tag, string sdkVersion)
    {
        if (string.IsNullOrEmpty(id)) return SkipReason.MissingId;
        if (string.IsNullOrEmpty(environmentId)) return SkipReason.MissingEnvironment;
        if (string.IsNullOrEmpty(userId)) return SkipReason.MissingUser;
        if (TooLong(id) || TooLong(userId) || TooLong(tag)
            || !ColumnText.Fits(environmentId, PersistersDbContext.EnvironmentIdLength)
            || !ColumnText.Fits(sdkVersion, PersistersDbContext.SdkVersionLength))
        {
            return SkipReason.FieldTooLong;
        }
        if (timestamp <= 0) return SkipReason.InvalidTimestamp;
        if (timestamp > _latestAccepted) return SkipReason.TimestampInFuture;
        return null;
    }

    private static bool TooLong(string? value) => !ColumnText.Fits(value, PersistersDbContext.IdLength);
}
