using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Persisters.Contracts;

namespace Persisters.Host.Ingest;

/// <summary>
/// <c>POST /register_events</c>: the request Bucketeer's SDKs send (<c>{"events":[{"id","type","event":{…,"@type"}}],"sdkVersion","sourceId"}</c>,
/// the API key bare in <c>Authorization</c>), read by <see cref="BucketeerEvents"/>. The environment of every event is the key's one
/// environment (the SDKs send none). Evaluation and goal events go through the same door as <c>/v1/events</c>; metrics events
/// are acknowledged and counted (<c>persisters_ingest_events_ignored_total</c>), not stored.
/// </summary>
/// <remarks>
/// Answers 200 <c>{"errors":{"&lt;id&gt;":{"retriable":false,"message":"…"}}}</c>, the one shape all four SDKs (JS, Android, iOS, Go
/// server) parse: the <c>errors</c> key always present, every entry with both fields. An event absent from <c>errors</c> is done
/// (stored, or acknowledged); every per-event error is final (<c>retriable:false</c>: the same bytes would fail again; a retriable
/// error makes the JS SDK re-send at once in a loop). Failures of the whole request: 400 (not JSON, no events, <c>events</c> not an
/// array), 401/403 (key; 403 also for a key that does not name exactly one environment), 413, 429 and 503 + Retry-After when the
/// broker did not accept; the SDKs keep the whole batch then and send it again later, with the same ids (idempotent).
/// </remarks>
public static class RegisterEventsEndpoint
{
    public const string Path = "/register_events";
    public const string MetricsLabel = "register_events";

    public static Task<IResult> HandleAsync(HttpContext context, EventIngestor ingestor, IOptions<IngestOptions> options, IngestMetrics metrics) =>
        RequestBodies.CountedAsync(metrics, MetricsLabel, () => AnswerAsync(context, ingestor, options.Value, metrics));

    private static async Task<IResult> AnswerAsync(HttpContext context, EventIngestor ingestor, IngestOptions o, IngestMetrics metrics)
    {
        var caller = ApiKeyAuthentication.Caller(context);
        if (caller.Environments.Count != 1)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden,
                detail: $"an API key used on {Path} must name exactly one environment (this one names {caller.Environments.Count})");
        }
        var environment = caller.Environments[0];
        var (document, failure) = await RequestBodies.ReadJsonAsync(context, o);
        if (document is null) return failure!;
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
                return RequestBodies.BadRequest("the body must be a JSON object with an array \"events\"");
            var count = events.GetArrayLength();
            if (count == 0) return RequestBodies.BadRequest("missing events: \"events\" is empty");
            if (count > o.MaxEventsPerRequest)
                return RequestBodies.TooLarge($"{count} events are over Ingest:MaxEventsPerRequest ({o.MaxEventsPerRequest})");

            var errors = new Dictionary<string, EventError>(StringComparer.Ordinal);
            var evaluations = new List<IngestItem<EvaluationEvent>>();
            var goals = new List<IngestItem<GoalEvent>>();
            var index = 0;
            foreach (var envelope in events.EnumerateArray())
            {
                Read(envelope, index++, environment, evaluations, goals, errors, metrics);
            }
            IngestResult result;
            try
            {
                result = await ingestor.IngestAsync(MetricsLabel, caller, evaluations, goals, context.RequestAborted);
            }
            catch (BrokerUnavailableException ex)
            {
                return RequestBodies.BrokerUnavailable(context, o.RetryAfter, ex.Message);
            }
            foreach (var r in result.Rejected)
            {
                if (r.Id.Length > 0) errors.TryAdd(r.Id, new EventError(false, r.Message is null ? r.Reason : $"{r.Reason}: {r.Message}"));
            }
            return Results.Json(new Answer(errors), IngestJson.Options);
        }
    }

    private static void Read(JsonElement envelope, int index, string environment, List<IngestItem<EvaluationEvent>> evaluations,
        List<IngestItem<GoalEvent>> goals, Dictionary<string, EventError> errors, IngestMetrics metrics)
    {
        if (envelope.ValueKind != JsonValueKind.Object)
        {
            metrics.Rejected(MetricsLabel, "unknown", EventIngestor.MalformedEvent);
            return;
        }
        var id = envelope.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() ?? "" : "";
        var inner = envelope.TryGetProperty("event", out var e) ? e : default;
        var (kind, typeName) = BucketeerEvents.KindOf(envelope, inner);
        var bytes = JsonMarshal.GetRawUtf8Value(envelope).Length;
        switch (kind)
        {
            case BucketeerEvents.Kind.NotStored:
                metrics.Ignored(MetricsLabel, typeName);
                return;
            case BucketeerEvents.Kind.Unsupported:
                metrics.Rejected(MetricsLabel, "unknown", "unsupported_event_type");
                if (id.Length > 0) errors.TryAdd(id, new EventError(false, $"unsupported_event_type: {typeName}"));
                return;
        }
        if (inner.ValueKind != JsonValueKind.Object)
        {
            if (kind == BucketeerEvents.Kind.Evaluation) evaluations.Add(new IngestItem<EvaluationEvent>(index, id, null, bytes, "event must be an object"));
            else goals.Add(new IngestItem<GoalEvent>(index, id, null, bytes, "event must be an object"));
            return;
        }
        try
        {
            if (kind == BucketeerEvents.Kind.Evaluation)
                evaluations.Add(new IngestItem<EvaluationEvent>(index, id, BucketeerEvents.Evaluation(id, environment, inner), bytes));
            else
                goals.Add(new IngestItem<GoalEvent>(index, id, BucketeerEvents.Goal(id, environment, inner), bytes));
        }
        catch (FormatException ex)
        {
            if (kind == BucketeerEvents.Kind.Evaluation) evaluations.Add(new IngestItem<EvaluationEvent>(index, id, null, bytes, ex.Message));
            else goals.Add(new IngestItem<GoalEvent>(index, id, null, bytes, ex.Message));
        }
    }

    /// <summary>One entry of <c>errors</c>: both fields always written (iOS and Android need <c>message</c>).</summary>
    public sealed record EventError(bool Retriable, string Message);

    /// <summary>The answer: <c>errors</c> always present, keyed by event id.</summary>
    public sealed record Answer(IReadOnlyDictionary<string, EventError> Errors);
}
