using Persisters.Contracts;

namespace Persisters.Host.Api;

/// <summary>The body of <c>POST /v1/events</c> (documentation of its shape; the endpoint reads each event on its own).</summary>
/// <param name="EvaluationEvents">Fields of <see cref="EvaluationEvent"/> in camelCase; timestamps in unix seconds.</param>
/// <param name="GoalEvents">Fields of <see cref="GoalEvent"/> in camelCase; timestamps in unix seconds.</param>
public sealed record EventsRequest(IReadOnlyList<EvaluationEvent>? EvaluationEvents, IReadOnlyList<GoalEvent>? GoalEvents);
