namespace Persisters.Statistics.Data;

/// <summary>The cumulative daily cut-offs of an experiment (reference §9.2, <c>listEndAt</c>).</summary>
public static class CutOffs
{
    public static readonly TimeSpan Day = TimeSpan.FromDays(1);

    /// <summary>
    /// With E = min(stop, now): start + 1 day, start + 2 days, … (each strictly before E), then E. Empty only when
    /// E is before the start. E = start is one cut-off: the window [start, E] is closed (counts use
    /// <c>timestamp BETWEEN start AND E</c> in whole unix seconds), so it holds the events of the start's own second,
    /// as in the reference, whose list always ends with E. An experiment asked for in the second it started is calculated.
    /// </summary>
    public static IReadOnlyList<DateTimeOffset> ListEndAt(DateTimeOffset startAt, DateTimeOffset stopAt, DateTimeOffset now)
    {
        var end = stopAt < now ? stopAt : now;
        var list = new List<DateTimeOffset>();
        if (end < startAt)
        {
            return list;
        }

        for (var t = startAt + Day; t < end; t += Day)
        {
            list.Add(t);
        }

        list.Add(end);
        return list;
    }

    /// <summary>The same in unix seconds.</summary>
    public static IReadOnlyList<long> ListEndAt(long startAtUnixSeconds, long stopAtUnixSeconds, long nowUnixSeconds) =>
        ListEndAt(
                DateTimeOffset.FromUnixTimeSeconds(startAtUnixSeconds),
                DateTimeOffset.FromUnixTimeSeconds(stopAtUnixSeconds),
                DateTimeOffset.FromUnixTimeSeconds(nowUnixSeconds))
            .Select(t => t.ToUnixTimeSeconds())
            .ToList();
}
