namespace Persisters.Persistence.Writers;

/// <summary>Which events a counter counts the users of (column <c>ops_user.kind</c>).</summary>
public enum OpsCounterKind : byte
{
    Evaluation = 0,
    Goal = 1,
}
