using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using Persisters.Contracts;

namespace Persisters.Host.Hosting;

/// <summary>
/// What lets producers in other languages publish straight to the broker (docs/plain-json-publishing.md): MassTransit's raw JSON
/// deserializer beside its envelope one (content type <c>application/json</c>, message type from the <c>MT-MessageType</c>
/// header), and the contracts' enums read by name as well as by number.
/// </summary>
public static class PlainJson
{
    public static void UsePlainJson(this IBusFactoryConfigurator cfg)
    {
        cfg.UseRawJsonDeserializer();
        // MassTransit keeps one options instance per process, read-only once used: extend a copy, once.
        cfg.ConfigureJsonSerializerOptions(options =>
        {
            if (options.Converters.Any(c => c is NumberOrNameEnumConverter<ReasonType>)) return options;
            var copy = new JsonSerializerOptions(options);
            copy.Converters.Add(new NumberOrNameEnumConverter<ReasonType>());
            copy.Converters.Add(new NumberOrNameEnumConverter<SourceId>());
            return copy;
        });
    }
}

/// <summary>
/// Reads an enum from its number or its name (any case, <c>OFF_VARIATION</c> as <c>OffVariation</c>); writes the number, as
/// MassTransit always has, so messages written by this version stay readable by the previous one.
/// </summary>
public sealed class NumberOrNameEnumConverter<T> : JsonConverter<T> where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number)) return (T)Enum.ToObject(typeof(T), number);
        if (reader.TokenType == JsonTokenType.String)
        {
            var name = (reader.GetString() ?? "").Replace("_", "", StringComparison.Ordinal);
            if (!int.TryParse(name, out _) && Enum.TryParse<T>(name, ignoreCase: true, out var value)) return value;
        }
        throw new JsonException($"{typeof(T).Name} must be one of {string.Join(", ", Enum.GetNames<T>())} or its number");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteNumberValue(Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture));
}
