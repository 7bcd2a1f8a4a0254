using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Persisters.IntegrationTests.Support;

/// <summary>One span as an OTLP collector receives it (hex ids, as trace viewers show them).</summary>
public sealed record ReceivedSpan(string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
    IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer.</summary>
    public const int Internal = 1, Server = 2, Client = 3, Producer = 4, Consumer = 5;

    public override string ToString() =>
        $"{Name} [{Scope}, kind {Kind}] span {SpanId} parent {(ParentSpanId.Length == 0 ? "-" : ParentSpanId)}";
}

/// <summary>
/// A fake OTLP collector (the real one, opentelemetry-collector, is not installable here): the OTLP/HTTP trace endpoint
/// <c>POST /v1/traces</c> with a binary protobuf <c>ExportTraceServiceRequest</c> body, answered 200 with an empty
/// <c>ExportTraceServiceResponse</c>, on a free loopback port. Written from the OTLP specification (opentelemetry-proto,
/// collector/trace/v1 and trace/v1): it reads the fields it reports and skips the rest by wire type.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpReceiver(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The base address to give as OTEL_EXPORTER_OTLP_ENDPOINT (with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf).</summary>
    public Uri Address { get; }

    public ConcurrentQueue<ReceivedSpan> Spans { get; } = new();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        OtlpReceiver? receiver = null;
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            foreach (var span in Parse(body.ToArray())) receiver!.Spans.Enqueue(span);
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        var address = new Uri(app.Urls.Single());
        receiver = new OtlpReceiver(app, address);
        return receiver;
    }

    /// <summary>ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }</summary>
    public static IEnumerable<ReceivedSpan> Parse(byte[] request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1) continue;
            // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
            var service = "";
            var scopes = new List<ReadOnlyMemory<byte>>();
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1) service = Attributes(value).GetValueOrDefault("service.name", "");
                else if (f == 2) scopes.Add(value);
            }
            foreach (var scopeSpans in scopes)
            {
                // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }, InstrumentationScope { string name = 1; }
                var scope = "";
                foreach (var (f, value) in Fields(scopeSpans))
                {
                    if (f == 1) scope = Fields(value).Where(x => x.Field == 1).Select(x => Text(x.Value)).FirstOrDefault() ?? "";
                    else if (f == 2) spans.Add(Span(service, scope, value));
                }
            }
        }
        return spans;
    }

    /// <summary>Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6; repeated KeyValue attributes = 9; }</summary>
    private static ReceivedSpan Span(string service, string scope, ReadOnlyMemory<byte> span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var attributes = new Dictionary<string, string>();
        foreach (var (f, value) in Fields(span, kinds: k => kind = (int)k))
        {
            switch (f)
            {
                case 1: traceId = Convert.ToHexStringLower(value.Span); break;
                case 2: spanId = Convert.ToHexStringLower(value.Span); break;
                case 4: parent = Convert.ToHexStringLower(value.Span); break;
                case 5: name = Text(value); break;
                case 9:
                    foreach (var (k, v) in Attributes(value, single: true)) attributes[k] = v;
                    break;
            }
        }
        return new ReceivedSpan(service, scope, traceId, spanId, parent, name, kind, attributes);
    }

    /// <summary>KeyValue { string key = 1; AnyValue value = 2; }, AnyValue { string string_value = 1; bool = 2; int_value = 3; ... } (strings only).</summary>
    private static Dictionary<string, string> Attributes(ReadOnlyMemory<byte> message, bool single = false)
    {
        var result = new Dictionary<string, string>();
        List<ReadOnlyMemory<byte>> pairs = single ? [message] : [.. Fields(message).Where(x => x.Field == 1).Select(x => x.Value)];
        foreach (var pair in pairs)
        {
            string key = "", value = "";
            foreach (var (f, v) in Fields(pair))
            {
                if (f == 1) key = Text(v);
                else if (f == 2) value = Fields(v).Where(x => x.Field == 1).Select(x => Text(x.Value)).FirstOrDefault() ?? "";
            }
            result[key] = value;
        }
        return result;
    }

    private static string Text(ReadOnlyMemory<byte> value) => System.Text.Encoding.UTF8.GetString(value.Span);

    /// <summary>
    /// The length-delimited fields of a protobuf message (wire type 2), in order; varints are given to <paramref name="kinds"/>
    /// when their field number is 6 (a span's kind); fixed 32- and 64-bit fields are skipped.
    /// </summary>
    private static List<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlyMemory<byte> message, Action<ulong>? kinds = null)
    {
        var fields = new List<(int, ReadOnlyMemory<byte>)>();
        var data = message.Span;
        var i = 0;
        while (i < data.Length)
        {
            var tag = Varint(data, ref i);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    var v = Varint(data, ref i);
                    if (field == 6) kinds?.Invoke(v);
                    break;
                case 1: i += 8; break;
                case 5: i += 4; break;
                case 2:
                    var length = (int)Varint(data, ref i);
                    fields.Add((field, message.Slice(i, length)));
                    i += length;
                    break;
                default: throw new InvalidDataException($"wire type {tag & 7} at byte {i} is not in OTLP");
            }
        }
        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[i++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
