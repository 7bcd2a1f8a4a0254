using System.Text.Json;
using Persisters.Contracts;
using Persisters.Persistence;

namespace Persisters.Consumers.Validation;

/// <summary>Checks an event against what the tables can hold and what a sane SDK sends.</summary>
public sealed class EventValidator(long nowUnix, TimeSpan maxClockSkew, int maxUserDataBytes)
{
    private readonly long _latestAccepted = nowUnix + (long)maxClockSkew.TotalSeconds;

    /// <summary>The user id the reference resolves: the event's own, else the user object's.</summary>
    public static string ResolveUserId(string userId, UserInfo? user) => string.IsNullOrEmpty(userId) ? user?.Id ?? "" : userId;

    public SkipReason? Check(EvaluationEvent e) =>
        CheckCommon(e.Id, e.EnvironmentId, e.Timestamp, ResolveUserId(e.UserId, e.User), e.Tag, e.SdkVersion)
        ?? (string.IsNullOrEmpty(e.FeatureId) ? SkipReason.MissingFeature : (SkipReason?)null)
        ?? (TooLong(e.FeatureId) || TooLong(e.VariationId) ? SkipReason.FieldTooLong : (SkipReason?)null);

    public SkipReason? Check(GoalEvent e) =>
        CheckCommon(e.Id, e.EnvironmentId, e.Timestamp, ResolveUserId(e.UserId, e.User), e.Tag, e.SdkVersion)
        ?? (string.IsNullOrEmpty(e.GoalId) ? SkipReason.MissingGoal : (SkipReason?)null)
        ?? (TooLong(e.GoalId) ? SkipReason.FieldTooLong : (SkipReason?)null)
        ?? (double.IsFinite(e.Value) ? (SkipReason?)null : SkipReason.InvalidValue);

    /// <summary>The user's attributes as stored (JSON object text), or a skip when too large.</summary>
    public SkipReason? SerializeUserData(UserInfo? user, out string? json)
    {
        json = user is null ? null : JsonSerializer.Serialize(user.Data ?? new Dictionary<string, string>());
        return json is not null && json.Length > maxUserDataBytes ? SkipReason.UserDataTooLarge : null;
    }

    private SkipReason? CheckCommon(string id, string environmentId, long timestamp, string userId, string tag, string sdkVersion)
    {
        if (string.IsNullOrEmpty(id)) return SkipReason.MissingId;
        if (string.IsNullOrEmpty(environmentId)) return SkipReason.MissingEnvironment;
        if (string.IsNullOrEmpty(userId)) return SkipReason.MissingUser;
        if (TooLong(id) || TooLong(userId) || TooLong(tag) || environmentId.Length > PersistersDbContext.EnvironmentIdLength
            || sdkVersion.Length > 64)
        {
            return SkipReason.FieldTooLong;
        }
        if (timestamp <= 0) return SkipReason.InvalidTimestamp;
        if (timestamp > _latestAccepted) return SkipReason.TimestampInFuture;
        return null;
    }

    private static bool TooLong(string? value) => value is not null && value.Length > PersistersDbContext.IdLength;
}
