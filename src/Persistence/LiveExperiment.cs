using System.Linq.Expressions;
using Persisters.Contracts;
using Persisters.Persistence.Model;

namespace Persisters.Persistence;

/// <summary>
/// The one definition of a <b>live experiment</b>, one that still takes events: not archived, and running, or stopped
/// with its late-event tail still open (<c>stop_at &gt; now − LateEventTail</c>, unix seconds). The persisters' definitions
/// cache, the demand count, the results calculator and the lifecycle saga's <see cref="PersisterDemandChanged.IsLive"/>
/// all ask it.
/// </summary>
/// <remarks>
/// The rule is written once, as an expression over (status, archived, tail open): <see cref="Query"/> translates it to SQL for
/// a query over <c>experiment</c> (EF Core, MySQL and SQLite alike), <see cref="IsLive(ExperimentStatus, bool, bool)"/>
/// runs it compiled. The raw-SQL count of <see cref="DefinitionStore.CountDemandAsync"/> is tested to agree with it on both
/// providers.
/// </remarks>
public static class LiveExperiment
{
    /// <summary>(status as stored, archived, tail open) → live.</summary>
    private static readonly Expression<Func<int, bool, bool, bool>> Rule = (status, archived, tailOpen) =>
        !archived && (status == (int)ExperimentStatus.Running || (status == (int)ExperimentStatus.Stopped && tailOpen));

    private static readonly Func<int, bool, bool, bool> Compiled = Rule.Compile();

    /// <summary>
    /// The rule when whether the late-event tail is open is already known: the saga knows it from its state (its finish timer
    /// ends <c>Stopped</c> when the tail closes).
    /// </summary>
    public static bool IsLive(ExperimentStatus status, bool archived, bool tailOpen) => Compiled((int)status, archived, tailOpen);

    /// <summary>The rule at <paramref name="nowUnix"/> (unix seconds) with the given late-event tail.</summary>
    public static bool IsLive(ExperimentDefinition x, long nowUnix, TimeSpan lateEventTail) =>
        IsLive(x.Status, x.Archived, x.StopAt > TailStart(nowUnix, lateEventTail));

    /// <summary>The earliest <c>stop_at</c> (exclusive, unix seconds) whose tail is still open at <paramref name="nowUnix"/>.</summary>
    public static long TailStart(long nowUnix, TimeSpan lateEventTail) => nowUnix - (long)lateEventTail.TotalSeconds;

    /// <summary>The rule as a filter on <c>experiment</c> rows at <paramref name="nowUnix"/>; the tail start is a query parameter.</summary>
    public static Expression<Func<ExperimentRow, bool>> Query(long nowUnix, TimeSpan lateEventTail)
    {
        var row = Expression.Parameter(typeof(ExperimentRow), "e");
        // A member of a captured object, not a constant: EF Core sends it as a parameter, so one cached query serves every call.
        var tailStart = Expression.Property(Expression.Constant(new Bound(TailStart(nowUnix, lateEventTail))), nameof(Bound.Value));
        var tailOpen = Expression.GreaterThan(Expression.Property(row, nameof(ExperimentRow.StopAt)), tailStart);
        var body = new Substitution(new Dictionary<ParameterExpression, Expression>
        {
            [Rule.Parameters[0]] = Expression.Property(row, nameof(ExperimentRow.Status)),
            [Rule.Parameters[1]] = Expression.Property(row, nameof(ExperimentRow.Archived)),
            [Rule.Parameters[2]] = tailOpen,
        }).Visit(Rule.Body);
        return Expression.Lambda<Func<ExperimentRow, bool>>(body, row);
    }

    private sealed class Bound(long value)
    {
        public long Value { get; } = value;
    }

    private sealed class Substitution(IReadOnlyDictionary<ParameterExpression, Expression> map) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => map.TryGetValue(node, out var e) ? e : node;
    }
}
