using System.Text.Json;
using System.Text.Json.Serialization;

namespace Persisters.Contracts.Serialization;

/// <summary>
/// An envelope <c>{"events": [...]}</c>. Reading keeps each event's JSON for decoding one by one (<see cref="ReceivedEvents{TEvent}"/>):
/// the body of a message is decoded whole by MassTransit before any consumer runs, so decoding the events here would make one
/// wrong-typed field fail the whole envelope. <c>"events": null</c> or no <c>events</c> reads as null events (persisters skip
/// such an envelope as <c>missing_events</c>); <c>events</c> of any other JSON type makes the envelope unreadable
/// (<see cref="JsonException"/>). Writing gives the wire format of the envelope records without these converters.
/// </summary>
public abstract class EventEnvelopeJsonConverter<TEnvelope, TEvent> : JsonConverter<TEnvelope>
    where TEnvelope : class
    where TEvent : class
{
    protected abstract EventReader<TEvent> ReadEvent { get; }
    protected abstract void WriteEvent(Utf8JsonWriter writer, TEvent value);
    protected abstract TEnvelope Create(IReadOnlyList<TEvent>? events);
    protected abstract IReadOnlyList<TEvent>? EventsOf(TEnvelope envelope);

    public override TEnvelope Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadEnvelope(ref reader, null);

    /// <summary>
    /// Reads the envelope at the reader, which reads <paramref name="body"/> from its start: the events stay in
    /// <paramref name="body"/> (no copy), which must outlive the envelope.
    /// </summary>
    /// <exception cref="JsonException">The envelope is not an object, or its <c>events</c> is not an array or null.</exception>
    public TEnvelope ReadFromBody(ReadOnlyMemory<byte> body, ref Utf8JsonReader reader) => ReadEnvelope(ref reader, body);

    private TEnvelope ReadEnvelope(ref Utf8JsonReader reader, ReadOnlyMemory<byte>? body)
    {
        EventJson.ExpectObject(ref reader, "an envelope");
        IReadOnlyList<TEvent>? events = null;
        Span<char> name = stackalloc char[64];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var property = EventJson.Name(in reader, name);
            EventJson.Value(ref reader);
            if (property is not "events")
            {
                reader.Skip();
                continue;
            }
            events = reader.TokenType switch
            {
                JsonTokenType.Null => null,
                JsonTokenType.StartArray when body is { } json => ReceivedEvents<TEvent>.Over(json, ref reader, ReadEvent),
                JsonTokenType.StartArray => ReceivedEvents<TEvent>.Take(ref reader, ReadEvent),
                _ => throw new JsonException($"events: expected an array, got {reader.TokenType}."),
            };
        }
        return Create(events);
    }

    public override void Write(Utf8JsonWriter writer, TEnvelope value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        var events = EventsOf(value);
        if (events is null)
        {
            writer.WriteNull("events");
        }
        else
        {
            writer.WriteStartArray("events");
            if (events is ReceivedEvents<TEvent> received)
            {
                for (var i = 0; i < received.Count; i++) writer.WriteRawValue(received.Json(i).Span, skipInputValidation: true);
            }
            else
            {
                foreach (var e in events)
                {
                    if (e is null) writer.WriteNullValue();
                    else WriteEvent(writer, e);
                }
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }
}

public sealed class EvaluationEventBatchJsonConverter : EventEnvelopeJsonConverter<EvaluationEventBatch, EvaluationEvent>
{
    protected override EventReader<EvaluationEvent> ReadEvent { get; } = EvaluationEventJsonConverter.ReadEvent;
    protected override void WriteEvent(Utf8JsonWriter writer, EvaluationEvent value) => EvaluationEventJsonConverter.WriteEvent(writer, value);
    protected override EvaluationEventBatch Create(IReadOnlyList<EvaluationEvent>? events) => new() { Events = events! };
    protected override IReadOnlyList<EvaluationEvent>? EventsOf(EvaluationEventBatch envelope) => envelope.Events;
}

public sealed class GoalEventBatchJsonConverter : EventEnvelopeJsonConverter<GoalEventBatch, GoalEvent>
{
    protected override EventReader<GoalEvent> ReadEvent { get; } = GoalEventJsonConverter.ReadEvent;
    protected override void WriteEvent(Utf8JsonWriter writer, GoalEvent value) => GoalEventJsonConverter.WriteEvent(writer, value);
    protected override GoalEventBatch Create(IReadOnlyList<GoalEvent>? events) => new() { Events = events! };
    protected override IReadOnlyList<GoalEvent>? EventsOf(GoalEventBatch envelope) => envelope.Events;
}
