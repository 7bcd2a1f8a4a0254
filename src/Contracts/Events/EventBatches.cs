namespace Persisters.Contracts;

/// <summary>
/// Many evaluation events in one broker message, as an SDK gateway receives them in one request. Every
/// persister treats each event exactly as if it had been published alone (same validation, same
/// idempotency on its id); one message instead of a hundred is what lets the broker keep up.
/// </summary>
public sealed record EvaluationEventBatch
{
    public IReadOnlyList<EvaluationEvent> Events { get; init; } = [];
}

/// <summary>Many goal events in one broker message; see <see cref="EvaluationEventBatch"/>.</summary>
public sealed record GoalEventBatch
{
    public IReadOnlyList<GoalEvent> Events { get; init; } = [];
}
