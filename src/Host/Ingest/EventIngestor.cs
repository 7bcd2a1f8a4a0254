using MassTransit;
using Microsoft.Extensions.Options;
using Persisters.Consumers;
using Persisters.Consumers.Validation;
using Persisters.Contracts;
using Persisters.Host.Hosting;

namespace Persisters.Host.Ingest;

/// <summary>One event of a request as read from its body: its position, its id, the event or why it could not be read.</summary>
/// <param name="Index">Position in its list of the request (0-based).</param>
/// <param name="Bytes">UTF-8 bytes of the event's JSON as sent (for splitting envelopes).</param>
/// <param name="Unreadable">Why the event could not be read into the contract (a field of the wrong type), else null.</param>
public sealed record IngestItem<T>(int Index, string Id, T? Event, int Bytes, string? Unreadable = null) where T : class;

/// <summary>An event the door refused: where it was, its id and the named reason (a <c>persisters_events_skipped</c> label or a door reason).</summary>
public sealed record RejectedEvent(string Kind, int Index, string Id, string Reason, string? Message = null);

/// <summary>What the door did with a request: events published (accepted) and the rejected ones, in request order per kind.</summary>
public sealed record IngestResult(int Accepted, IReadOnlyList<RejectedEvent> Rejected);

/// <summary>
/// The door behind both ingestion endpoints. Every event is checked by the persisters' own <see cref="EventValidator"/>
/// (same clock, <c>Persisters:MaxClockSkew</c> and <c>Persisters:MaxUserDataBytes</c>), and its environment against the
/// caller's key; the accepted ones are published as <see cref="EvaluationEventBatch"/> / <see cref="GoalEventBatch"/>
/// envelopes of at most <see cref="IngestOptions.MaxEnvelopeBytes"/> and the call returns once the transport accepted every
/// envelope (publisher confirms on RabbitMQ, SendMessageBatch answered on SQS). A rejected event is never published.
/// </summary>
/// <remarks>
/// Envelopes are not published atomically: when one fails after another was accepted, the request fails as a whole (503) and
/// the client sends it again; the persisters are idempotent on the event id, so the events already published are stored once.
/// </remarks>
public sealed class EventIngestor(IBusControl bus, IOptions<IngestOptions> options, IOptions<PersisterOptions> persisterOptions, TimeProvider clock,
    IngestMetrics metrics)
{
    public const string EvaluationKind = "evaluation";
    public const string GoalKind = "goal";

    /// <summary>Door reason: the event's body could not be read into the contract (a field of the wrong type or a non-object).</summary>
    public const string MalformedEvent = "malformed_event";

    /// <summary>Door reason: the event names an environment the caller's key may not post for.</summary>
    public const string EnvironmentNotAllowed = "environment_not_allowed";

    /// <summary>Validates, publishes and answers. Throws <see cref="BrokerUnavailableException"/> when the transport did not accept.</summary>
    /// <param name="endpoint">The endpoint's label for the metrics (<c>v1_events</c>, <c>register_events</c>).</param>
    public async Task<IngestResult> IngestAsync(string endpoint, ApiCaller caller, IReadOnlyList<IngestItem<EvaluationEvent>> evaluations,
        IReadOnlyList<IngestItem<GoalEvent>> goals, CancellationToken ct)
    {
        var p = persisterOptions.Value;
        var validator = new EventValidator(clock.GetUtcNow().ToUnixTimeSeconds(), p.MaxClockSkew, p.MaxUserDataBytes);
        var rejected = new List<RejectedEvent>();
        var acceptedEvaluations = Check(EvaluationKind, evaluations, caller, rejected,
            (e, env) => e with { EnvironmentId = env }, e => e.EnvironmentId, e => validator.Check(e) ?? validator.SerializeUserData(e.User, out _));
        var acceptedGoals = Check(GoalKind, goals, caller, rejected,
            (e, env) => e with { EnvironmentId = env }, e => e.EnvironmentId, e => validator.Check(e) ?? validator.SerializeUserData(e.User, out _));

        if (acceptedEvaluations.Count + acceptedGoals.Count > 0)
        {
            await PublishAsync(acceptedEvaluations, acceptedGoals, ct);
        }
        metrics.Accepted(endpoint, EvaluationKind, acceptedEvaluations.Count);
        metrics.Accepted(endpoint, GoalKind, acceptedGoals.Count);
        foreach (var r in rejected) metrics.Rejected(endpoint, r.Kind, r.Reason);
        return new IngestResult(acceptedEvaluations.Count + acceptedGoals.Count, rejected);
    }

    private static List<(T Event, int Bytes)> Check<T>(string kind, IReadOnlyList<IngestItem<T>> items, ApiCaller caller, List<RejectedEvent> rejected,
        Func<T, string, T> withEnvironment, Func<T, string> environmentOf, Func<T, SkipReason?> validate) where T : class
    {
        var accepted = new List<(T, int)>(items.Count);
        foreach (var item in items)
        {
            if (item.Event is null)
            {
                rejected.Add(new RejectedEvent(kind, item.Index, item.Id, MalformedEvent, item.Unreadable));
                continue;
            }
            var e = item.Event;
            var environment = environmentOf(e);
            if (string.IsNullOrEmpty(environment) && caller.DefaultEnvironment is { } only)
            {
                e = withEnvironment(e, only);
            }
            else if (!string.IsNullOrEmpty(environment) && !caller.MayPostFor(environment))
            {
                rejected.Add(new RejectedEvent(kind, item.Index, item.Id, EnvironmentNotAllowed, $"this API key may not post events for environment '{environment}'"));
                continue;
            }
            if (validate(e) is { } reason)
            {
                rejected.Add(new RejectedEvent(kind, item.Index, item.Id, reason.Label()));
                continue;
            }
            accepted.Add((e, item.Bytes));
        }
        return accepted;
    }

    private async Task PublishAsync(List<(EvaluationEvent Event, int Bytes)> evaluations, List<(GoalEvent Event, int Bytes)> goals, CancellationToken ct)
    {
        var o = options.Value;
        // Known down (connection refused or lost): answer at once instead of waiting out the publish timeout.
        var health = await new BrokerHealthCheck(bus).CheckHealthAsync(null!, ct);
        if (health.Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy)
        {
            throw new BrokerUnavailableException(health.Description ?? "broker unavailable");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(o.PublishTimeout);
        try
        {
            var sends = new List<Task>();
            foreach (var chunk in Chunks(evaluations, o.MaxEnvelopeBytes))
                sends.Add(bus.Publish(new EvaluationEventBatch { Events = chunk }, timeout.Token));
            foreach (var chunk in Chunks(goals, o.MaxEnvelopeBytes))
                sends.Add(bus.Publish(new GoalEventBatch { Events = chunk }, timeout.Token));
            await Task.WhenAll(sends).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new BrokerUnavailableException($"the broker did not accept the events within {o.PublishTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new BrokerUnavailableException($"the broker did not accept the events: {ex.GetBaseException().Message}", ex);
        }
    }

    /// <summary>Consecutive runs of events whose JSON adds up to at most <paramref name="maxBytes"/> (an event over it goes alone).</summary>
    internal static IEnumerable<List<T>> Chunks<T>(List<(T Event, int Bytes)> events, int maxBytes)
    {
        var chunk = new List<T>();
        var bytes = 0;
        foreach (var (e, size) in events)
        {
            if (chunk.Count > 0 && bytes + size > maxBytes)
            {
                yield return chunk;
                chunk = [];
                bytes = 0;
            }
            chunk.Add(e);
            bytes += size;
        }
        if (chunk.Count > 0) yield return chunk;
    }
}
