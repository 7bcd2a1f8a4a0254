using System.Net.Mime;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using MassTransit.Serialization;

namespace Persisters.Tests.Support;

/// <summary>Messages whose body is given as JSON text: what a producer in another language (or a buggy one) can put on a broker.</summary>
public static class JsonMessages
{
    /// <summary>Publishes <paramref name="messageJson"/>, byte for byte, as the message of a MassTransit envelope of type <typeparamref name="T"/>.</summary>
    public static Task PublishJsonAsync<T>(this IPublishEndpoint bus, string messageJson) where T : class, new() =>
        bus.Publish(new T(), context => context.Serializer = new TextSerializer(messageJson));

    private sealed class TextSerializer(string json) : IMessageSerializer
    {
        public ContentType ContentType => SystemTextJsonMessageSerializer.JsonContentType;

        public MessageBody GetMessageBody<T>(SendContext<T> context) where T : class =>
            new SystemTextJsonMessageBody<T>(context, SystemTextJsonMessageSerializer.Options, new JsonMessageEnvelope(context, new Text(json)));
    }

    [JsonConverter(typeof(TextConverter))]
    private sealed record Text(string Json);

    private sealed class TextConverter : JsonConverter<Text>
    {
        public override Text Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, Text value, JsonSerializerOptions options) =>
            writer.WriteRawValue(Encoding.UTF8.GetBytes(value.Json), skipInputValidation: true);
    }
}
