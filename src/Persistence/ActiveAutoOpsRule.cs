using System.Linq.Expressions;
using Persisters.Contracts;
using Persisters.Persistence.Model;

namespace Persisters.Persistence;

/// <summary>
/// The one definition of an <b>active auto-ops rule</b>, one the OPS persisters count ops counts for: not deleted, and
/// <see cref="AutoOpsRuleStatus.Waiting"/> or <see cref="AutoOpsRuleStatus.Running"/> (Bucketeer's
/// <c>count_auto_ops_rules.sql</c>: <c>deleted = 0 AND status IN (WAITING, RUNNING)</c>; Finished and Stopped rules are not counted).
/// The rule command consumer (did a command change whether the rule is active?), the OPS definitions cache
/// (<see cref="DefinitionStore.LoadActiveRulesAsync"/>), the demand count (<see cref="DefinitionStore.CountDemandAsync"/>) and the
/// trigger's conditional update (<c>AutoOpsTriggerStore</c>: only an active rule triggers) all ask it.
/// </summary>
/// <remarks>
/// Written once, as an expression over (status as stored, deleted): <see cref="Query"/> is that expression over <c>auto_ops_rule</c>
/// rows for EF Core (MySQL and SQLite alike), <see cref="IsActive(AutoOpsRuleStatus, bool)"/> runs it compiled, and
/// <see cref="SqlCondition"/> is its text for hand-written SQL, built from the same <see cref="Statuses"/>; a test holds all three to
/// agree on every (status, deleted) pair on both providers.
/// </remarks>
public static class ActiveAutoOpsRule
{
    /// <summary>The statuses of an active rule, when it is not deleted.</summary>
    public static readonly IReadOnlyList<AutoOpsRuleStatus> Statuses = [AutoOpsRuleStatus.Waiting, AutoOpsRuleStatus.Running];

    /// <summary>(status as stored, deleted) → active: <c>!deleted &amp;&amp; (status == Waiting || status == Running)</c>, built from <see cref="Statuses"/>.</summary>
    private static readonly Expression<Func<int, bool, bool>> Rule = BuildRule();

    private static readonly Func<int, bool, bool> Compiled = Rule.Compile();

    /// <summary>Whether a rule with this status and deleted flag is active.</summary>
    public static bool IsActive(AutoOpsRuleStatus status, bool deleted) => Compiled((int)status, deleted);

    /// <summary>Whether the row's rule is active.</summary>
    public static bool IsActive(AutoOpsRuleRow row) => Compiled(row.Status, row.Deleted);

    /// <summary>The rule as a filter on <c>auto_ops_rule</c> rows.</summary>
    public static Expression<Func<AutoOpsRuleRow, bool>> Query { get; } = Build();

    /// <summary>
    /// The rule as a SQL condition on the columns of <c>auto_ops_rule</c> (<c>deleted</c>, <c>status</c>), with no parameters: e.g.
    /// <c>deleted = 0 AND status IN (0, 1)</c>. Both MySQL/MariaDB and SQLite read it.
    /// </summary>
    public static string SqlCondition { get; } =
        $"deleted = 0 AND status IN ({string.Join(", ", Statuses.Select(s => ((int)s).ToString(System.Globalization.CultureInfo.InvariantCulture)))})";

    private static Expression<Func<int, bool, bool>> BuildRule()
    {
        var status = Expression.Parameter(typeof(int), "status");
        var deleted = Expression.Parameter(typeof(bool), "deleted");
        var anyStatus = Statuses.Select(s => (Expression)Expression.Equal(status, Expression.Constant((int)s))).Aggregate(Expression.OrElse);
        return Expression.Lambda<Func<int, bool, bool>>(Expression.AndAlso(Expression.Not(deleted), anyStatus), status, deleted);
    }

    private static Expression<Func<AutoOpsRuleRow, bool>> Build()
    {
        var row = Expression.Parameter(typeof(AutoOpsRuleRow), "r");
        var body = new Substitution(new Dictionary<ParameterExpression, Expression>
        {
            [Rule.Parameters[0]] = Expression.Property(row, nameof(AutoOpsRuleRow.Status)),
            [Rule.Parameters[1]] = Expression.Property(row, nameof(AutoOpsRuleRow.Deleted)),
        }).Visit(Rule.Body);
        return Expression.Lambda<Func<AutoOpsRuleRow, bool>>(body, row);
    }

    private sealed class Substitution(IReadOnlyDictionary<ParameterExpression, Expression> map) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => map.TryGetValue(node, out var e) ? e : node;
    }
}
