using Persisters.Contracts;
using Persisters.Persistence;

namespace Persisters.Sagas;

/// <summary>
/// What makes a command invalid, as a reason the sender reads; null when it is valid. Every field a sender can set is checked
/// (any sender, not only our CLI): nulls, lengths in characters against their columns, counts, times the scheduler can
/// represent, so that an invalid command is answered "rejected" and never faults the saga.
/// </summary>
internal static class ExperimentRules
{
    /// <summary>The last second a <see cref="DateTimeOffset"/> holds (9999-12-31T23:59:59Z): no later time can be scheduled or shown.</summary>
    public static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public const int MaxVariations = 100;
    public const int MaxGoals = 100;

    /// <summary>
    /// Name, environment, feature, variation and goal ids together, in UTF-8 bytes. The saga publishes them again (<see cref="ExperimentCreated"/>),
    /// which must fit one broker message (Amazon SQS: 256 KiB) even when the serializer writes every non-ASCII character as
    /// a <c>\uXXXX</c> escape (up to 3 times the UTF-8 size).
    /// </summary>
    public const int MaxDefinitionBytes = 32 * 1024;

    public static string? ProblemWithCreate(CreateExperiment m, long now, long lateEventTailSeconds)
    {
        if (m.ExperimentId == Guid.Empty) return "experiment id is empty";
        if (Blank(m.EnvironmentId)) return "environment id is empty";
        if (!ColumnText.Fits(m.EnvironmentId, PersistersDbContext.EnvironmentIdLength)) return $"environment id is longer than {PersistersDbContext.EnvironmentIdLength} characters";
        if (Blank(m.Name)) return "name is empty";
        if (!ColumnText.Fits(m.Name, PersistersDbContext.IdLength)) return $"name is longer than {PersistersDbContext.IdLength} characters";
        if (Blank(m.FeatureId)) return "feature id is empty";
        if (!ColumnText.Fits(m.FeatureId, PersistersDbContext.IdLength)) return $"feature id is longer than {PersistersDbContext.IdLength} characters";
        if (m.FeatureVersion < 0) return "feature version is negative";
        if (m.VariationIds is null || m.VariationIds.Count == 0) return "no variations";
        if (m.VariationIds.Count > MaxVariations) return $"at most {MaxVariations} variations ({m.VariationIds.Count} given)";
        if (ProblemWithIds(m.VariationIds, "variation") is { } variations) return variations;
        if (m.VariationIds.Distinct(StringComparer.Ordinal).Count() != m.VariationIds.Count) return "variation ids are not unique";
        if (!m.VariationIds.Contains(m.BaselineVariationId, StringComparer.Ordinal))
        {
            return $"baseline variation '{ColumnText.Shorten(m.BaselineVariationId ?? "", 21)}' is not among the variations";
        }
        if (m.GoalIds is null || m.GoalIds.Count == 0) return "no goals";
        if (m.GoalIds.Count > MaxGoals) return $"at most {MaxGoals} goals ({m.GoalIds.Count} given)";
        if (ProblemWithIds(m.GoalIds, "goal") is { } goals) return goals;
        var bytes = new[] { m.Name, m.FeatureId, m.EnvironmentId }.Concat(m.VariationIds).Concat(m.GoalIds).Sum(System.Text.Encoding.UTF8.GetByteCount);
        if (bytes > MaxDefinitionBytes)
        {
            return $"name, environment, feature, variation and goal ids take {bytes} bytes of UTF-8 together; at most {MaxDefinitionBytes} fit the experiment's events";
        }
        return ProblemWithPeriod(m.StartAt, m.StopAt, now, lateEventTailSeconds);
    }

    /// <summary>
    /// The reference's rules (start before stop, and the stop still ahead), on times the scheduler can represent: unix seconds
    /// from 0, with the stop plus the late-event tail no later than <see cref="MaxUnixSeconds"/>.
    /// </summary>
    public static string? ProblemWithPeriod(long startAt, long stopAt, long now, long lateEventTailSeconds)
    {
        if (ProblemWithTimes(startAt, stopAt, lateEventTailSeconds) is { } times) return times;
        if (stopAt <= startAt) return $"stop_at ({stopAt}) must be after start_at ({startAt})";
        if (stopAt <= now) return $"stop_at ({stopAt}) is not in the future (now {now})";
        return null;
    }

    /// <summary>A running experiment has started: its start may move earlier, not into the future.</summary>
    public static string? ProblemWithRunningPeriod(long startAt, long stopAt, long now, long lateEventTailSeconds)
    {
        if (ProblemWithTimes(startAt, stopAt, lateEventTailSeconds) is { } times) return times;
        if (startAt > now) return $"start_at ({startAt}) is in the future, but the experiment is already running";
        return ProblemWithPeriod(startAt, stopAt, now, lateEventTailSeconds);
    }

    private static string? ProblemWithTimes(long startAt, long stopAt, long lateEventTailSeconds)
    {
        if (ProblemWithTime("start_at", startAt) is { } start) return start;
        if (ProblemWithTime("stop_at", stopAt) is { } stop) return stop;
        if (stopAt > MaxUnixSeconds - lateEventTailSeconds)
        {
            return $"stop_at ({stopAt}) plus the late-event tail ({lateEventTailSeconds} s) is after {Iso(MaxUnixSeconds)}, the last time that can be scheduled";
        }
        return null;
    }

    /// <summary>Unix seconds from 1970-01-01 to 9999-12-31; a value 1000 times too large is named as milliseconds.</summary>
    private static string? ProblemWithTime(string field, long unixSeconds)
    {
        if (unixSeconds is >= 0 && unixSeconds <= MaxUnixSeconds) return null;
        var milliseconds = unixSeconds > MaxUnixSeconds && unixSeconds / 1000 <= MaxUnixSeconds ? "; it looks like milliseconds" : "";
        return $"{field} ({unixSeconds}) is not a time in unix seconds from 0 ({Iso(0)}) to {MaxUnixSeconds} ({Iso(MaxUnixSeconds)}){milliseconds}";
    }

    private static string Iso(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A repeated create: the same experiment (its period may have moved since) is a no-op, anything else a conflict.</summary>
    public static bool IsSameExperiment(ExperimentState s, CreateExperiment m) =>
        s.EnvironmentId == m.EnvironmentId
        && s.Name == m.Name
        && s.FeatureId == m.FeatureId
        && s.FeatureVersion == m.FeatureVersion
        && s.VariationIds.SequenceEqual(m.VariationIds ?? [], StringComparer.Ordinal)
        && s.BaselineVariationId == m.BaselineVariationId
        && s.GoalIds.SequenceEqual(DistinctGoals(m.GoalIds ?? []), StringComparer.Ordinal);

    /// <summary>Goal ids without duplicates, first occurrence first (as the reference stores them).</summary>
    public static List<string> DistinctGoals(IEnumerable<string> goalIds) => goalIds.Distinct(StringComparer.Ordinal).ToList();

    private static string? ProblemWithIds(IReadOnlyList<string> ids, string kind)
    {
        foreach (var id in ids)
        {
            if (Blank(id)) return $"a {kind} id is empty";
            if (!ColumnText.Fits(id, PersistersDbContext.IdLength)) return $"{kind} id '{ColumnText.Shorten(id, 21)}' is longer than {PersistersDbContext.IdLength} characters";
        }
        return null;
    }

    private static bool Blank(string? s) => string.IsNullOrWhiteSpace(s);
}
