using System.Globalization;
using System.Text.Json;

namespace Persisters.Contracts.Serialization;

/// <summary>
/// The reading rules every persister applies to one event's JSON, alone or inside an envelope (README, "What happens to
/// each event"). A value is accepted only when its meaning is unambiguous; otherwise the event is malformed
/// (<see cref="JsonException"/> naming the field, never its value):
/// <list type="bullet">
/// <item>property names compare ignoring case and underscores (<c>featureId</c>, <c>FeatureId</c>, the proto field name <c>feature_id</c>);
/// properties this version does not know are ignored; a missing property or <c>null</c> is the field's default (empty string,
/// 0, no user, no attributes);</item>
/// <item>strings: only JSON strings (a number, boolean, object or array for a string is malformed);</item>
/// <item>integers: a JSON number or a string holding one (proto3 JSON sends int64 as a decimal string), accepted when its value
/// is an exact integer inside the field's range (<c>2</c>, <c>2.0</c>, <c>"2"</c>, <c>2e0</c>); a fraction or a value out of
/// range is malformed, never rounded or clamped;</item>
/// <item>the goal value: a JSON number, or a string holding one, <c>NaN</c> or <c>Infinity</c> (proto3 JSON); a value that is not
/// finite is then skipped by validation as <c>invalid_value</c>;</item>
/// <item>enums: a number (kept as sent, also when this version has no name for it: a newer SDK's value is stored as its number)
/// or a name ignoring case and underscores (<c>OFF_VARIATION</c>, <c>offVariation</c>); an unknown name is malformed;</item>
/// <item>string maps (user attributes, metadata): an object of strings; a <c>null</c> value is dropped; any other value is malformed.</item>
/// </list>
/// Writing produces what MassTransit's System.Text.Json serializer produced before these converters: camelCase names,
/// enums as numbers.
/// </summary>
public static class EventJson
{
    private const int MaxNameLength = 64;

    /// <summary>The property name at the reader, lower-cased without underscores, into <paramref name="buffer"/>; empty when too long.</summary>
    internal static ReadOnlySpan<char> Name(scoped in Utf8JsonReader reader, Span<char> buffer)
    {
        Span<char> raw = stackalloc char[MaxNameLength * 2];
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > raw.Length) return [];
        var count = reader.CopyString(raw);
        var n = 0;
        foreach (var c in raw[..count])
        {
            if (c == '_') continue;
            if (n == buffer.Length) return [];
            buffer[n++] = char.ToLowerInvariant(c);
        }
        return buffer[..n];
    }

    /// <summary>Handles one property of an object: <paramref name="name"/> lower-cased without underscores, the reader at its value.</summary>
    internal delegate void PropertyReader(scoped ReadOnlySpan<char> name, ref Utf8JsonReader reader);

    /// <summary>
    /// Reads the object at the reader property by property (the reader ends on its closing brace); a string that cannot be
    /// one in .NET makes it malformed too.
    /// </summary>
    internal static void ReadObject(ref Utf8JsonReader reader, string what, PropertyReader read)
    {
        ExpectObject(ref reader, what);
        Span<char> name = stackalloc char[MaxNameLength];
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = Name(in reader, name);
                Value(ref reader);
                read(property, ref reader);
            }
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonException(ex.Message, ex);
        }
    }

    /// <summary>
    /// The fields evaluation and goal events share, read by the same rules; a field not sent keeps its default
    /// (empty string, 0, no user, no metadata).
    /// </summary>
    internal struct SharedFields()
    {
        public string Id = "", EnvironmentId = "", UserId = "", Tag = "", SdkVersion = "";
        public long Timestamp;
        public UserInfo? User;
        public SourceId SourceId;
        public IReadOnlyDictionary<string, string>? Metadata;

        /// <summary>Reads the value at the reader when <paramref name="property"/> (as <see cref="Name"/> gives it) is a shared field.</summary>
        /// <returns>false, the reader untouched, for any other property.</returns>
        public bool Read(scoped ReadOnlySpan<char> property, ref Utf8JsonReader reader)
        {
            switch (property)
            {
                case "id": Id = String(ref reader, "id"); return true;
                case "environmentid": EnvironmentId = String(ref reader, "environmentId"); return true;
                case "timestamp": Timestamp = Int64(ref reader, "timestamp"); return true;
                case "userid": UserId = String(ref reader, "userId"); return true;
                case "user": User = EventJson.User(ref reader); return true;
                case "tag": Tag = String(ref reader, "tag"); return true;
                case "sourceid": SourceId = Enum<SourceId>(ref reader, "sourceId"); return true;
                case "sdkversion": SdkVersion = String(ref reader, "sdkVersion"); return true;
                case "metadata": Metadata = StringMap(ref reader, "metadata"); return true;
                default: return false;
            }
        }
    }

    /// <summary>Moves the reader to the value of the current property.</summary>
    internal static void Value(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new JsonException("The JSON ends inside an event.");
    }

    internal static string String(ref Utf8JsonReader reader, string field) => reader.TokenType switch
    {
        JsonTokenType.String => Text(ref reader, field),
        JsonTokenType.Null => "",
        _ => throw Wrong(field, "a string", reader.TokenType),
    };

    /// <summary>The string token's text; a string that cannot be one in .NET (an unpaired surrogate escape) is malformed.</summary>
    private static string Text(ref Utf8JsonReader reader, string field)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new JsonException($"{field}: a string that is not valid UTF-16 (an unpaired surrogate).");
        }
    }

    internal static long Int64(ref Utf8JsonReader reader, string field) => Integer(ref reader, field, long.MinValue, long.MaxValue);

    internal static int Int32(ref Utf8JsonReader reader, string field) => (int)Integer(ref reader, field, int.MinValue, int.MaxValue);

    internal static double Double(ref Utf8JsonReader reader, string field)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return 0;
            case JsonTokenType.Number:
                // A number beyond double's range reads as infinity, which validation names invalid_value.
                return TryDouble(Raw(ref reader), out var number) ? number : throw new JsonException($"{field}: a number out of range.");
            case JsonTokenType.String:
                return TryDouble(Text(ref reader, field), out var value) ? value : throw new JsonException($"{field}: a string that is not a number.");
            default:
                throw Wrong(field, "a number", reader.TokenType);
        }
    }

    internal static TEnum Enum<TEnum>(ref Utf8JsonReader reader, string field) where TEnum : struct, Enum
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return default;
            case JsonTokenType.Number:
                return (TEnum)(object)(int)Integer(ref reader, field, int.MinValue, int.MaxValue);
            case JsonTokenType.String:
                var text = Text(ref reader, field);
                if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '-'))
                {
                    if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)) return (TEnum)(object)number;
                    throw new JsonException($"{field}: a string that is neither a name of {typeof(TEnum).Name} nor an integer.");
                }
                var name = text.Replace("_", "", StringComparison.Ordinal);
                if (System.Enum.TryParse<TEnum>(name, ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !name.Contains(','))
                {
                    return value;
                }
                throw new JsonException($"{field}: not a name of {typeof(TEnum).Name}.");
            default:
                throw Wrong(field, $"a name or number of {typeof(TEnum).Name}", reader.TokenType);
        }
    }

    /// <summary>An object of strings; null values are dropped; null is no map.</summary>
    internal static IReadOnlyDictionary<string, string>? StringMap(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw Wrong(field, "an object", reader.TokenType);
        var map = new Dictionary<string, string>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = Text(ref reader, field);
            Value(ref reader);
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    map[key] = Text(ref reader, field);
                    break;
                case JsonTokenType.Null:
                    break;
                default:
                    throw new JsonException($"{field}: the value of an entry is {Describe(reader.TokenType)}, not a string.");
            }
        }
        return map;
    }

    internal static UserInfo? User(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject) throw Wrong("user", "an object", reader.TokenType);
        string id = "";
        IReadOnlyDictionary<string, string>? data = null;
        ReadObject(ref reader, "user", (scoped ReadOnlySpan<char> property, ref Utf8JsonReader r) =>
        {
            switch (property)
            {
                case "id": id = String(ref r, "user.id"); break;
                case "data": data = StringMap(ref r, "user.data"); break;
                default: r.Skip(); break;
            }
        });
        return new UserInfo { Id = id, Data = data };
    }

    internal static void ExpectObject(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"{what} is {Describe(reader.TokenType)}, not a JSON object.");
    }

    internal static void Write(Utf8JsonWriter writer, string name, UserInfo? user)
    {
        if (user is null) return;
        writer.WriteStartObject(name);
        writer.WriteString("id", user.Id);
        Write(writer, "data", user.Data);
        writer.WriteEndObject();
    }

    internal static void Write(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null) return;
        writer.WriteStartObject(name);
        foreach (var (key, value) in map) writer.WriteString(key, value);
        writer.WriteEndObject();
    }

    private static long Integer(ref Utf8JsonReader reader, string field, long min, long max)
    {
        long value;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return 0;
            case JsonTokenType.Number:
                if (!reader.TryGetInt64(out value) && !TryExactInteger(Raw(ref reader), out value))
                {
                    throw new JsonException($"{field}: a number that is not an integer in range.");
                }
                break;
            case JsonTokenType.String:
                var text = Text(ref reader, field);
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && !TryExactInteger(text, out value))
                {
                    throw new JsonException($"{field}: a string that is not an integer in range.");
                }
                break;
            default:
                throw Wrong(field, "an integer", reader.TokenType);
        }
        if (value < min || value > max) throw new JsonException($"{field}: an integer out of range.");
        return value;
    }

    /// <summary>A decimal number, <c>NaN</c>, <c>Infinity</c> or <c>-Infinity</c> (no white space, no thousands separators).</summary>
    private static bool TryDouble(string? text, out double value) =>
        double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture,
            out value);

    /// <summary><c>2.0</c>, <c>2e3</c>: accepted when the value is exactly an integer of the int64 range.</summary>
    private static bool TryExactInteger(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out var d))
        {
            return false;
        }
        if (decimal.Truncate(d) != d || d < long.MinValue || d > long.MaxValue) return false;
        value = (long)d;
        return true;
    }

    /// <summary>The text of a number token (JSON numbers are ASCII).</summary>
    private static string Raw(ref Utf8JsonReader reader) => reader.HasValueSequence
        ? System.Text.Encoding.ASCII.GetString(System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence))
        : System.Text.Encoding.ASCII.GetString(reader.ValueSpan);

    private static JsonException Wrong(string field, string expected, JsonTokenType actual) =>
        new($"{field}: expected {expected}, got {Describe(actual)}.");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
