using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Persisters.Host.Ingest;

/// <summary>
/// Names, for a request body that is JSON but not of the expected shape, the field and the form it must have ("startAt must be a whole
/// number (unix seconds)"), from the <see cref="JsonException.Path"/> of the serializer's error and the target type's properties: never a
/// .NET type name, which says nothing to a caller of the HTTP API.
/// </summary>
public static partial class JsonFieldErrors
{
    /// <summary>
    /// The reason for <paramref name="ex"/>, thrown while converting a parsed body to <paramref name="root"/>: "FIELD must be FORM" when
    /// the path leads to a known property, "the body lacks the required field(s) …" for missing required properties, else a sentence
    /// naming the JSON path.
    /// </summary>
    public static string Describe(JsonException ex, Type root)
    {
        if (MissingRequired().Match(ex.Message) is { Success: true } missing)
            return $"the body lacks the required field(s) {missing.Groups[1].Value.TrimEnd('.')}";
        var path = ex.Path;
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            // Our own converters (the events' EventJson) throw messages that already name the field ("timestamp: a string that is not a
            // number."); the serializer's own ones name .NET types and are not passed on.
            return ex.Message.Contains(" Path: ", StringComparison.Ordinal) || TypeName().IsMatch(ex.Message)
                ? "the body does not have the expected shape (see the API reference)"
                : ex.Message;
        }
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        Type? type = root;
        string? leaf = null;
        foreach (Match segment in Segment().Matches(path))
        {
            if (type is null) break;
            if (segment.Groups["index"].Success)
            {
                type = ElementType(type);
            }
            else
            {
                leaf = segment.Groups["name"].Success ? segment.Groups["name"].Value : segment.Groups["quoted"].Value;
                type = PropertyType(type, leaf);
            }
        }
        return type is null ? $"{field} has a value of the wrong form" : $"{field} must be {Form(type, leaf)}";
    }

    /// <summary>The form a JSON value of <paramref name="type"/> takes, as a caller reads it; <c>…At</c> and <c>timestamp</c> integers are unix seconds.</summary>
    private static string Form(Type type, string? name)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type))} (by name, any case, or number)";
        if (type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(ulong) || type == typeof(uint))
            return name is { Length: > 2 } n && (n.EndsWith("At", StringComparison.Ordinal) || n.Equals("timestamp", StringComparison.OrdinalIgnoreCase))
                ? "a whole number (unix seconds)" : "a whole number";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "a number";
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(Guid)) return "a UUID string (e.g. 3f2504e0-4f89-11d3-9a0c-0305e82c3301)";
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return "an ISO 8601 date and time string";
        if (type != typeof(string) && ElementType(type) is not null) return "an array";
        return "a JSON object";
    }

    private static Type? PropertyType(Type type, string jsonName)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name);
            if (string.Equals(name, jsonName, StringComparison.OrdinalIgnoreCase)) return p.PropertyType;
        }
        return null;
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (!typeof(IEnumerable).IsAssignableFrom(type) || type == typeof(string)) return null;
        return type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }

    [GeneratedRegex(@"\.(?<name>[A-Za-z_][A-Za-z0-9_]*)|\['(?<quoted>[^']*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex Segment();

    [GeneratedRegex(@"\b(System|Persisters|Microsoft)\.[A-Z]")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"missing required properties,? including:?\s*(.+)$", RegexOptions.Singleline)]
    private static partial Regex MissingRequired();
}
