namespace Persisters.Contracts.Lifecycle;

/// <summary>
/// The late-event tail: how long a stopped experiment keeps taking late events (Bucketeer keeps 2 days). One setting,
/// <c>Persisters:LateEventTail</c>, read by the persisters (what they accept) and the experiment lifecycle (when it finishes).
/// </summary>
public static class LateEventTailBounds
{
    /// <summary>2 days, the reference's tail.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromDays(2);

    /// <summary>The longest tail: a year.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(365);
}
