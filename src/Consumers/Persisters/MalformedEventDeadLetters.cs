using System.Net.Mime;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using MassTransit.Serialization;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// Puts each malformed event of an envelope on its persister queue's <c>_error</c> queue as a message of its own, exactly
/// where a malformed single-event message goes: the event type as message type, the event's JSON as received as the
/// message, and MassTransit's fault headers (<c>MT-Fault-Message</c> names the field that could not be read). An operator
/// finds every unreadable event in one place, whatever the shape it came in, and can fix it and move it back to the queue.
/// Two more headers say where it came from: <see cref="EnvelopeMessageIdHeader"/> and <see cref="EnvelopeIndexHeader"/>.
/// </summary>
/// <remarks>
/// Sent after the batch's transaction commits and before its messages are acknowledged: a crash in between redelivers the
/// envelope and sends the event again (at least once); a batch that is retried (database down) sends nothing until it commits.
/// </remarks>
public static class MalformedEventDeadLetters
{
    public const string EnvelopeMessageIdHeader = "Persisters-Envelope-MessageId";
    public const string EnvelopeIndexHeader = "Persisters-Envelope-Index";

    /// <summary>Sends every malformed event to <c>queue:{queue}_error</c>.</summary>
    public static async Task SendAsync<TEvent>(string queue, IReadOnlyList<MalformedEvent> malformed, CancellationToken ct)
        where TEvent : class, new()
    {
        if (malformed.Count == 0) return;
        var address = new Uri($"queue:{queue}_error");
        var now = DateTime.UtcNow.ToString("O");
        foreach (var m in malformed)
        {
            var endpoint = await m.Envelope.GetSendEndpoint(address);
            // The message object is a stand-in: the serializer writes the event's JSON as received.
            await endpoint.Send(new TEvent(), context =>
            {
                context.Serializer = new ReceivedJsonSerializer(m.Json);
                context.Headers.Set(MessageHeaders.Reason, "fault");
                context.Headers.Set(MessageHeaders.FaultMessage, m.Error);
                context.Headers.Set(MessageHeaders.FaultExceptionType, typeof(JsonException).FullName);
                context.Headers.Set(MessageHeaders.FaultInputAddress, m.Envelope.ReceiveContext.InputAddress.ToString());
                context.Headers.Set(MessageHeaders.FaultTimestamp, now);
                context.Headers.Set(EnvelopeMessageIdHeader, m.Envelope.MessageId?.ToString());
                context.Headers.Set(EnvelopeIndexHeader, m.Index);
            }, ct);
        }
    }

    /// <summary>MassTransit's JSON envelope around a message that is already JSON, written byte for byte as received.</summary>
    private sealed class ReceivedJsonSerializer(ReadOnlyMemory<byte> json) : IMessageSerializer
    {
        public ContentType ContentType => SystemTextJsonMessageSerializer.JsonContentType;

        public MessageBody GetMessageBody<T>(SendContext<T> context) where T : class =>
            new SystemTextJsonMessageBody<T>(context, SystemTextJsonMessageSerializer.Options, new JsonMessageEnvelope(context, new ReceivedJson(json)));
    }

    [JsonConverter(typeof(ReceivedJsonConverter))]
    private sealed record ReceivedJson(ReadOnlyMemory<byte> Utf8);

    private sealed class ReceivedJsonConverter : JsonConverter<ReceivedJson>
    {
        public override ReceivedJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Written only.");

        public override void Write(Utf8JsonWriter writer, ReceivedJson value, JsonSerializerOptions options) =>
            writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
    }
}
