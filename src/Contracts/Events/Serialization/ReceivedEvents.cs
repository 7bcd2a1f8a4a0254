using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Persisters.Contracts.Serialization;

/// <summary>Reads one event from a reader positioned at its first token; throws <see cref="JsonException"/> when it is malformed.</summary>
public delegate TEvent EventReader<out TEvent>(ref Utf8JsonReader reader);

/// <summary>
/// The events of an envelope as they arrived: each event's JSON is kept (a view of the message body, or one copy of the
/// array's bytes) and decoded only when asked, one at a time, so a malformed event is found alone and costs its neighbours nothing, and an
/// envelope waiting in a batch holds bytes, not objects. The indexer and the enumerator throw
/// <see cref="JsonException"/> on a malformed event; <see cref="TryRead"/> does not.
/// </summary>
public sealed class ReceivedEvents<TEvent> : IReadOnlyList<TEvent> where TEvent : class
{
    private readonly ReadOnlyMemory<byte> _json;
    private readonly (int Start, int Length)[] _events;
    private readonly EventReader<TEvent> _read;

    private ReceivedEvents(ReadOnlyMemory<byte> json, (int Start, int Length)[] events, EventReader<TEvent> read)
    {
        _json = json;
        _events = events;
        _read = read;
    }

    /// <summary>Takes the JSON array at the reader (copied once) and notes where each element is; decodes nothing.</summary>
    public static ReceivedEvents<TEvent> Take(ref Utf8JsonReader reader, EventReader<TEvent> read)
    {
        var array = JsonElement.ParseValue(ref reader);
        var all = JsonMarshal.GetRawUtf8Value(array);
        var events = new (int Start, int Length)[array.GetArrayLength()];
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var raw = JsonMarshal.GetRawUtf8Value(item);
            all.Overlaps(raw, out var offset);
            events[i++] = (offset, raw.Length);
        }
        return new ReceivedEvents<TEvent>(all.ToArray(), events, read);
    }

    /// <summary>
    /// Notes where each element of the JSON array at the reader is inside <paramref name="json"/>, which the reader reads
    /// from its start; copies nothing, so <paramref name="json"/> must outlive this list (a message body does).
    /// </summary>
    public static ReceivedEvents<TEvent> Over(ReadOnlyMemory<byte> json, ref Utf8JsonReader reader, EventReader<TEvent> read)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException($"events: expected an array, got {reader.TokenType}.");
        var events = new List<(int Start, int Length)>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            events.Add((start, (int)reader.BytesConsumed - start));
        }
        return new ReceivedEvents<TEvent>(json, [.. events], read);
    }

    /// <summary>Events in the envelope, malformed ones included.</summary>
    public int Count => _events.Length;

    /// <summary>The UTF-8 JSON of event <paramref name="index"/>, exactly as it arrived.</summary>
    public ReadOnlyMemory<byte> Json(int index) => _json.Slice(_events[index].Start, _events[index].Length);

    /// <summary>Decodes event <paramref name="index"/>; false with the reason (naming the field, never its value) when it is malformed.</summary>
    public bool TryRead(int index, [NotNullWhen(true)] out TEvent? value, [NotNullWhen(false)] out string? error)
    {
        var reader = new Utf8JsonReader(Json(index).Span);
        try
        {
            reader.Read();
            value = _read(ref reader);
            error = null;
            return true;
        }
        catch (JsonException ex)
        {
            value = null;
            error = ex.Message;
            return false;
        }
    }

    public TEvent this[int index] => TryRead(index, out var value, out var error) ? value : throw new JsonException(error);

    public IEnumerator<TEvent> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
