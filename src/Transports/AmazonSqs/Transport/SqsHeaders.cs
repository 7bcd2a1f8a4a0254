using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.SQS.Model;
using MassTransit;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// MassTransit headers ↔ SQS message attributes. SQS allows only ten attributes per message, so all MassTransit
/// transport headers travel together as one JSON object in the attribute <c>MT-Headers</c>. Besides it:
/// <c>Content-Type</c> (the serializer's content type), <c>MT-Body-Encoding</c> (<c>base64</c> when the body is
/// not text) and, on messages moved to an <c>_error</c> / <c>_skipped</c> queue, copies of the main fault headers
/// (MT-Fault-ExceptionType, -Message, -Timestamp, -RetryCount, -ConsumerType, -MessageType, MT-Reason) so that they
/// can be read in the AWS console. Everything stays in <c>MT-Headers</c> as well.
/// </summary>
internal static class SqsHeaders
{
    public const string HeadersAttribute = "MT-Headers";
    public const string ContentTypeAttribute = "Content-Type";
    public const string BodyEncodingAttribute = "MT-Body-Encoding";
    public const string Base64 = "base64";
    private const int MaxPromotedValueLength = 1024;

    private static readonly string[] Promoted =
    [
        "MT-Fault-ExceptionType", "MT-Fault-Message", "MT-Fault-Timestamp", "MT-Fault-RetryCount", "MT-Fault-ConsumerType",
        "MT-Fault-MessageType", "MT-Reason",
    ];

    public static bool IsTextContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
            return true;
        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("xml", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The SQS message body for a serialized MassTransit body.</summary>
    public static (string Body, bool Base64) EncodeBody(byte[] body, string? contentType)
    {
        if (IsTextContentType(contentType))
        {
            try
            {
                return (new UTF8Encoding(false, true).GetString(body), false);
            }
            catch (DecoderFallbackException)
            {
            }
        }
        return (Convert.ToBase64String(body), true);
    }

    public static byte[] DecodeBody(Message message) =>
        message.MessageAttributes?.TryGetValue(BodyEncodingAttribute, out var encoding) == true && encoding.StringValue == Base64
            ? Convert.FromBase64String(message.Body ?? "")
            : Encoding.UTF8.GetBytes(message.Body ?? "");

    public static Dictionary<string, MessageAttributeValue> ToAttributes(IEnumerable<KeyValuePair<string, object?>> headers, string? contentType,
        bool base64, bool promoteFaultHeaders)
    {
        var attributes = new Dictionary<string, MessageAttributeValue>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(contentType))
            attributes[ContentTypeAttribute] = String(contentType);
        if (base64)
            attributes[BodyEncodingAttribute] = String(Base64);

        var all = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in headers)
        {
            if (value is null || string.Equals(key, MessageHeaders.ContentType, StringComparison.OrdinalIgnoreCase))
                continue;
            all[key] = value;
        }
        if (all.Count > 0)
            attributes[HeadersAttribute] = String(ToJson(all));

        if (promoteFaultHeaders)
        {
            foreach (var name in Promoted)
            {
                if (attributes.Count >= 10)
                    break;
                if (all.TryGetValue(name, out var value) && Format(value) is { Length: > 0 } text)
                    attributes[name] = String(text.Length > MaxPromotedValueLength ? text[..MaxPromotedValueLength] : text);
            }
        }
        return attributes;
    }

    /// <summary>The MassTransit transport headers of a received message.</summary>
    public static Dictionary<string, object> FromAttributes(Message message)
    {
        var headers = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        var attributes = message.MessageAttributes;
        if (attributes is null)
            return headers;
        if (attributes.TryGetValue(HeadersAttribute, out var json) && !string.IsNullOrEmpty(json.StringValue))
        {
            try
            {
                using var document = JsonDocument.Parse(json.StringValue);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (FromJson(property.Value) is { } value)
                        headers[property.Name] = value;
                }
            }
            catch (JsonException exception)
            {
                LogContext.Warning?.Log(exception, "Ignoring unreadable {Attribute} attribute on SQS message {MessageId}", HeadersAttribute,
                    message.MessageId);
            }
        }
        // Attributes set by other producers (not MassTransit) are headers too, unless MT-Headers already has them.
        foreach (var (name, value) in attributes)
        {
            if (name is HeadersAttribute or BodyEncodingAttribute || headers.ContainsKey(name))
                continue;
            if (value.StringValue is { } text)
                headers[name] = text;
        }
        return headers;
    }

    /// <summary>Bytes SQS counts for the message size: body plus every attribute's name, type and value.</summary>
    public static int Size(string body, Dictionary<string, MessageAttributeValue>? attributes)
    {
        var size = Encoding.UTF8.GetByteCount(body);
        if (attributes is null)
            return size;
        foreach (var (name, value) in attributes)
            size += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value.DataType ?? "") + Encoding.UTF8.GetByteCount(value.StringValue ?? "");
        return size;
    }

    private static MessageAttributeValue String(string value) => new() { DataType = "String", StringValue = value };

    private static string ToJson(Dictionary<string, object> headers)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in headers)
            {
                switch (value)
                {
                    case bool b:
                        writer.WriteBoolean(key, b);
                        break;
                    case int or long or short or byte or uint or ushort or sbyte:
                        writer.WriteNumber(key, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                        break;
                    case double or float or decimal:
                        writer.WriteNumber(key, Convert.ToDouble(value, CultureInfo.InvariantCulture));
                        break;
                    default:
                        writer.WriteString(key, Format(value));
                        break;
                }
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Format(object value) => value switch
    {
        string s => s,
        DateTime d => d.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        Uri u => u.ToString(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when element.TryGetInt32(out var i) => i,
        JsonValueKind.Number when element.TryGetInt64(out var l) => l,
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.Null => null,
        _ => element.GetRawText(),
    };
}
