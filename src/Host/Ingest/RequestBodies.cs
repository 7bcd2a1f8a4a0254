using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Persisters.Host.Ingest;

/// <summary>Reading request bodies within <see cref="IngestOptions.MaxRequestBodyBytes"/>, and the problem answers of the door.</summary>
public static class RequestBodies
{
    /// <summary>The whole body, or null when it is longer than <paramref name="maxBytes"/> (by its Content-Length or as read).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpContext context, int maxBytes)
    {
        if (context.Request.ContentLength > maxBytes) return null;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes + 1L; // our own count below decides; the server's must not be lower
        }
        var buffer = new ArrayBufferWriter<byte>(context.Request.ContentLength is > 0 and var n ? (int)n : 4096);
        var body = context.Request.Body;
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await body.ReadAsync(memory, context.RequestAborted);
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes) return null;
        }
        return buffer.WrittenMemory;
    }

    /// <summary>
    /// The body as a JSON document within <see cref="IngestOptions.MaxRequestBodyBytes"/> and <see cref="IngestOptions.MaxJsonDepth"/>,
    /// or the answer for a body that is too large (413) or not JSON (400 naming the position). The caller disposes the document.
    /// </summary>
    public static async Task<(JsonDocument? Document, IResult? Failure)> ReadJsonAsync(HttpContext context, IngestOptions o)
    {
        if (await ReadAsync(context, o.MaxRequestBodyBytes) is not { } body)
            return (null, TooLarge($"the body is over Ingest:MaxRequestBodyBytes ({o.MaxRequestBodyBytes} bytes)"));
        try
        {
            return (JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = o.MaxJsonDepth }), null);
        }
        catch (JsonException ex)
        {
            return (null, Malformed(ex));
        }
    }

    /// <summary>Runs an endpoint's answer and counts it in <c>persisters_ingest_requests_total{endpoint,status}</c>.</summary>
    public static async Task<IResult> CountedAsync(IngestMetrics metrics, string endpoint, Func<Task<IResult>> answer)
    {
        var result = await answer();
        metrics.Request(endpoint, result is IStatusCodeHttpResult { StatusCode: { } status } ? status : StatusCodes.Status200OK);
        return result;
    }

    /// <summary>413 naming the limit.</summary>
    public static IResult TooLarge(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large", detail: detail);

    /// <summary>400 for a body that is not JSON, naming the position (1-based line and byte in the line) and the JSON path where known.</summary>
    public static IResult Malformed(JsonException ex) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed JSON",
            detail: $"malformed JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}" +
                    (string.IsNullOrEmpty(ex.Path) ? "" : $" ({ex.Path})") + $": {FirstSentence(ex.Message)}",
            extensions: new Dictionary<string, object?> { ["line"] = (ex.LineNumber ?? 0) + 1, ["bytePositionInLine"] = (ex.BytePositionInLine ?? 0) + 1, ["path"] = ex.Path });

    /// <summary>
    /// 400 for a JSON body that is not of <paramref name="target"/>'s shape: the detail names the field and the form it must have
    /// (<see cref="JsonFieldErrors.Describe"/>), the <c>path</c> extension its JSON path.
    /// </summary>
    public static IResult InvalidField(JsonException ex, Type target) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid field", detail: JsonFieldErrors.Describe(ex, target),
            extensions: new Dictionary<string, object?> { ["path"] = ex.Path });

    /// <summary>400 with <paramref name="detail"/>.</summary>
    public static IResult BadRequest(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail);

    /// <summary>503 with Retry-After: the broker did not accept the events; nothing the answer calls accepted was lost, send again.</summary>
    public static IResult BrokerUnavailable(HttpContext context, TimeSpan retryAfter, string detail)
    {
        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Broker unavailable", detail: detail + "; send the request again");
    }

    /// <summary>The reader's message without its own "LineNumber: … | BytePositionInLine: …" suffix (the detail gives them 1-based).</summary>
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
