using System.Text.Json.Serialization;
using Persisters.Contracts.Serialization;

namespace Persisters.Contracts;

/// <summary>
/// Many evaluation events in one broker message, as an SDK gateway receives them in one request. Every
/// persister treats each event exactly as if it had been published alone (same reading rules, same validation,
/// same idempotency on its id); one message instead of a hundred is what lets the broker keep up.
/// </summary>
/// <remarks>
/// Wire format <c>{"events": [event, ...]}</c>. A publisher sets <see cref="Events"/>. Read from a broker, <see cref="Events"/>
/// is a <see cref="ReceivedEvents{TEvent}"/> whose events are decoded one by one, so one malformed event is dead-lettered
/// alone; it is null when the sender sent <c>"events": null</c> or no <c>events</c>.
/// </remarks>
[JsonConverter(typeof(EvaluationEventBatchJsonConverter))]
public sealed record EvaluationEventBatch
{
    public IReadOnlyList<EvaluationEvent> Events { get; init; } = [];
}

/// <summary>Many goal events in one broker message; see <see cref="EvaluationEventBatch"/>.</summary>
[JsonConverter(typeof(GoalEventBatchJsonConverter))]
public sealed record GoalEventBatch
{
    public IReadOnlyList<GoalEvent> Events { get; init; } = [];
}
