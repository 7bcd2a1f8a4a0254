using Persisters.Contracts;
using Persisters.Persistence;

namespace Persisters.Sagas;

/// <summary>
/// What makes a command invalid, as a reason the sender reads; null when it is valid. Lengths are characters (code
/// points), as the columns count them (<see cref="ColumnText"/>).
/// </summary>
internal static class ExperimentRules
{
    public static string? ProblemWithCreate(CreateExperiment m, long now)
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
        if (ProblemWithIds(m.VariationIds, "variation") is { } variations) return variations;
        if (m.VariationIds.Distinct(StringComparer.Ordinal).Count() != m.VariationIds.Count) return "variation ids are not unique";
        if (!m.VariationIds.Contains(m.BaselineVariationId, StringComparer.Ordinal))
        {
            return $"baseline variation '{m.BaselineVariationId}' is not among the variations";
        }
        if (m.GoalIds is null || m.GoalIds.Count == 0) return "no goals";
        if (ProblemWithIds(m.GoalIds, "goal") is { } goals) return goals;
        return ProblemWithPeriod(m.StartAt, m.StopAt, now);
    }

    /// <summary>The reference's rules: start before stop, and the stop still ahead.</summary>
    public static string? ProblemWithPeriod(long startAt, long stopAt, long now)
    {
        if (stopAt <= startAt) return $"stop_at ({stopAt}) must be after start_at ({startAt})";
        if (stopAt <= now) return $"stop_at ({stopAt}) is not in the future (now {now})";
        return null;
    }

    /// <summary>A running experiment has started: its start may move earlier, not into the future.</summary>
    public static string? ProblemWithRunningPeriod(long startAt, long stopAt, long now)
    {
        if (startAt > now) return $"start_at ({startAt}) is in the future, but the experiment is already running";
        return ProblemWithPeriod(startAt, stopAt, now);
    }

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
