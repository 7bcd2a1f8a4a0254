using System.Net.Mime;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using MassTransit.Serialization;
using Persisters.Contracts;
using Persisters.Contracts.Serialization;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// MassTransit's JSON envelope reader for the persister endpoints (<c>application/vnd.masstransit+json</c>). An event
/// envelope (<see cref="EvaluationEventBatch"/>, <see cref="GoalEventBatch"/>) is read straight from the message body: its
/// events stay in the body's bytes, each decoded only when its persister reaches it
/// (<see cref="ReceivedEvents{TEvent}"/>). MassTransit's own reader would first copy the message into a
/// <see cref="JsonElement"/> kept for the message's lifetime; for an envelope waiting in a batch that copy is most of its
/// memory. Every other message is handed to MassTransit's reader unchanged, so single events, wrong message types
/// (moved to <c>_skipped</c>) and unreadable bodies (moved to <c>_error</c>) behave exactly as before.
/// </summary>
public sealed class PersisterMessageDeserializer : IMessageDeserializer
{
    private static readonly string EvaluationBatchUrn = MessageUrn.ForTypeString<EvaluationEventBatch>();
    private static readonly string GoalBatchUrn = MessageUrn.ForTypeString<GoalEventBatch>();
    private static readonly EvaluationEventBatchJsonConverter EvaluationBatches = new();
    private static readonly GoalEventBatchJsonConverter GoalBatches = new();

    public ContentType ContentType => SystemTextJsonMessageSerializer.JsonContentType;

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateScope("json");
        scope.Add("contentType", ContentType.MediaType);
        scope.Add("provider", "System.Text.Json, event envelopes read in place");
    }

    public ConsumeContext Deserialize(ReceiveContext receiveContext) =>
        new BodyConsumeContext(receiveContext, Deserialize(receiveContext.Body, receiveContext.TransportHeaders, receiveContext.InputAddress));

    public SerializerContext Deserialize(MessageBody body, Headers headers, Uri? destinationAddress = null)
    {
        var bytes = body.GetBytes();
        var envelope = ReadFields(bytes);
        var types = envelope?.MessageType ?? [];
        EventEnvelopeReader? read = types.Contains(EvaluationBatchUrn) ? EvaluationBatches.ReadFromBody
            : types.Contains(GoalBatchUrn) ? GoalBatches.ReadFromBody
            : null;
        object? message;
        try
        {
            message = read is null ? null : ReadMessage(bytes, read);
        }
        catch (JsonException ex)
        {
            throw new SerializationException("An error occured while deserializing the message envelope", ex);
        }
        if (envelope is null || message is null) return SystemTextJsonMessageSerializer.Instance.Deserialize(body, headers, destinationAddress);

        envelope.Message = message;
        var serializer = SystemTextJsonMessageSerializer.Instance;
        return new SystemTextJsonSerializerContext(serializer, SystemTextJsonMessageSerializer.Options, ContentType,
            new EnvelopeMessageContext(envelope, serializer), types, envelope, message);
    }

    public MessageBody GetMessageBody(string text) => SystemTextJsonMessageSerializer.Instance.GetMessageBody(text);

    private delegate object EventEnvelopeReader(ReadOnlyMemory<byte> body, ref Utf8JsonReader reader);

    /// <summary>The envelope's fields but the message, which is skipped, not copied; null when the body is not a JSON object.</summary>
    private static ReceivedEnvelope? ReadFields(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<ReceivedEnvelope>(bytes, SystemTextJsonMessageSerializer.Options);
        }
        catch (JsonException)
        {
            // MassTransit's reader records why in the fault.
            return null;
        }
    }

    /// <summary>The top-level <c>message</c> object read in place; null when there is none (MassTransit's reader decides then).</summary>
    private static object? ReadMessage(byte[] bytes, EventEnvelopeReader read)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMessage = !reader.ValueIsEscaped && System.Text.Ascii.EqualsIgnoreCase(reader.ValueSpan, "message"u8);
            reader.Read();
            if (isMessage) return reader.TokenType == JsonTokenType.StartObject ? read(bytes, ref reader) : null;
            reader.Skip();
        }
        return null;
    }

    /// <summary>MassTransit's envelope fields; the message is read apart.</summary>
    private sealed class ReceivedEnvelope : MessageEnvelope
    {
        public string? MessageId { get; set; }
        public string? RequestId { get; set; }
        public string? CorrelationId { get; set; }
        public string? ConversationId { get; set; }
        public string? InitiatorId { get; set; }
        public string? SourceAddress { get; set; }
        public string? DestinationAddress { get; set; }
        public string? ResponseAddress { get; set; }
        public string? FaultAddress { get; set; }
        public string[]? MessageType { get; set; }
        [JsonIgnore] public object? Message { get; set; }
        public DateTime? ExpirationTime { get; set; }
        public DateTime? SentTime { get; set; }
        public Dictionary<string, object?>? Headers { get; set; }
        public HostInfo? Host { get; set; }
    }
}

/// <summary>Registers <see cref="PersisterMessageDeserializer"/> for MassTransit's JSON content type on an endpoint.</summary>
public sealed class PersisterMessageDeserializerFactory : ISerializerFactory
{
    public ContentType ContentType => SystemTextJsonMessageSerializer.JsonContentType;
    public IMessageSerializer CreateSerializer() => SystemTextJsonMessageSerializer.Instance;
    public IMessageDeserializer CreateDeserializer() => new PersisterMessageDeserializer();
}
