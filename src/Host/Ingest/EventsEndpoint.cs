using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Persisters.Contracts;

namespace Persisters.Host.Ingest;

/// <summary>
/// <c>POST /v1/events</c>: <c>{"evaluationEvents":[EvaluationEvent…],"goalEvents":[GoalEvent…]}</c>, field names of the contracts in
/// camelCase (enums by name, case-insensitive, or number). Answers
/// 200 <c>{"accepted":N,"rejected":[{"kind":"evaluation"|"goal","index":i,"id":"…","reason":"missing_feature","message":…}]}</c>
/// once the broker accepted every accepted event; 400 malformed JSON (with its position) or no events; 401/403 key; 413 over
/// <c>Ingest:MaxRequestBodyBytes</c> or <c>Ingest:MaxEventsPerRequest</c>; 429 over the key's rate; 503 + Retry-After when the
/// broker did not accept. An event that names no environment gets its key's one environment.
/// </summary>
public static class EventsEndpoint
{
    public const string Path = "/v1/events";
    public const string MetricsLabel = "v1_events";

    private static readonly JsonSerializerOptions EventJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new NullAsEmptyString() },
    };

    public static Task<IResult> HandleAsync(HttpContext context, EventIngestor ingestor, IOptions<IngestOptions> options, IngestMetrics metrics) =>
        RequestBodies.CountedAsync(metrics, MetricsLabel, () => AnswerAsync(context, ingestor, options.Value));

    private static async Task<IResult> AnswerAsync(HttpContext context, EventIngestor ingestor, IngestOptions o)
    {
        var caller = ApiKeyAuthentication.Caller(context);
        var (document, failure) = await RequestBodies.ReadJsonAsync(context, o);
        if (document is null) return failure!;
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return RequestBodies.BadRequest("the body must be a JSON object {\"evaluationEvents\":[…],\"goalEvents\":[…]}");
            var evaluations = Property(document.RootElement, "evaluationEvents");
            var goals = Property(document.RootElement, "goalEvents");
            if (evaluations is { ValueKind: not JsonValueKind.Array } || goals is { ValueKind: not JsonValueKind.Array })
                return RequestBodies.BadRequest("evaluationEvents and goalEvents must be JSON arrays");
            var count = (evaluations?.GetArrayLength() ?? 0) + (goals?.GetArrayLength() ?? 0);
            if (count == 0) return RequestBodies.BadRequest("no events: evaluationEvents and goalEvents are both empty or absent");
            if (count > o.MaxEventsPerRequest)
                return RequestBodies.TooLarge($"{count} events are over Ingest:MaxEventsPerRequest ({o.MaxEventsPerRequest})");
            try
            {
                var result = await ingestor.IngestAsync(MetricsLabel, caller, Items<EvaluationEvent>(evaluations), Items<GoalEvent>(goals), context.RequestAborted);
                return Results.Json(new EventsAnswer(result.Accepted, result.Rejected), IngestJson.Options);
            }
            catch (BrokerUnavailableException ex)
            {
                return RequestBodies.BrokerUnavailable(context, o.RetryAfter, ex.Message);
            }
        }
    }

    /// <summary>The answer of <c>POST /v1/events</c>.</summary>
    public sealed record EventsAnswer(int Accepted, IReadOnlyList<RejectedEvent> Rejected);

    private static JsonElement? Property(JsonElement root, string name)
    {
        foreach (var p in root.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p.Value;
        }
        return null;
    }

    private static List<IngestItem<T>> Items<T>(JsonElement? array) where T : class
    {
        var items = new List<IngestItem<T>>();
        if (array is not { } a) return items;
        var index = 0;
        foreach (var element in a.EnumerateArray())
        {
            var id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() ?? "" : "";
            var bytes = JsonMarshal.GetRawUtf8Value(element).Length;
            try
            {
                var e = element.ValueKind == JsonValueKind.Object ? element.Deserialize<T>(EventJson) : null;
                items.Add(e is null
                    ? new IngestItem<T>(index, id, null, bytes, "an event must be a JSON object")
                    : new IngestItem<T>(index, id, e, bytes));
            }
            catch (JsonException ex)
            {
                items.Add(new IngestItem<T>(index, id, null, bytes, JsonFieldErrors.Describe(ex, typeof(T))));
            }
            catch (Exception ex) when (ex is NotSupportedException or ArgumentException or InvalidOperationException)
            {
                items.Add(new IngestItem<T>(index, id, null, bytes, ex.Message));
            }
            index++;
        }
        return items;
    }
}

/// <summary>How the door writes its answers: camelCase, nulls left out.</summary>
public static class IngestJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
}

/// <summary>A JSON <c>null</c> string reads as empty, i.e. absent (as in proto3's JSON mapping): the validator then names what is missing.</summary>
public sealed class NullAsEmptyString : JsonConverter<string>
{
    public override bool HandleNull => true;

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? "" : reader.GetString()!;

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
