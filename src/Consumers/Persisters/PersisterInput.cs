using MassTransit;
using Persisters.Consumers.Diagnostics;
using Persisters.Consumers.Validation;
using Persisters.Contracts.Serialization;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// The events of one persister batch, whether they came one per message or in envelopes (<c>EvaluationEventBatch</c>,
/// <c>GoalEventBatch</c>), handed out in chunks: at most one chunk of decoded events is alive at a time, whatever the
/// shape of the batch (a received envelope holds its events' JSON and decodes them one by one, see
/// <see cref="ReceivedEvents{TEvent}"/>). An envelope event that cannot be decoded is reported as a
/// <see cref="MalformedEvent"/> instead of failing its neighbours; an envelope without events (<c>"events": null</c>)
/// is listed in <see cref="WithoutEvents"/>.
/// </summary>
public sealed class PersisterInput<TEvent> where TEvent : class
{
    private readonly List<(ConsumeContext Message, IReadOnlyList<TEvent> Events)> _envelopes = [];
    private readonly List<TEvent> _singles = [];
    private readonly List<ConsumeContext> _withoutEvents = [];

    private PersisterInput()
    {
    }

    /// <summary>Events of the batch: one per single-event message, every element of every envelope (malformed ones included).</summary>
    public int Count { get; private set; }

    /// <summary>What <c>persisters_events_received</c> counts: <see cref="Count"/>, plus one for each envelope without events.</summary>
    public int Received => Count + _withoutEvents.Count;

    /// <summary>Envelope messages that held no <c>events</c> array (skipped as <c>missing_events</c>).</summary>
    public IReadOnlyList<ConsumeContext> WithoutEvents => _withoutEvents;

    /// <summary>A batch of single-event messages (each already decoded by the transport's deserializer).</summary>
    public static PersisterInput<TEvent> FromEvents(Batch<TEvent> batch)
    {
        var input = new PersisterInput<TEvent>();
        foreach (var message in batch) input._singles.Add(message.Message);
        input.Count = input._singles.Count;
        return input;
    }

    /// <summary>A batch of envelopes; <paramref name="events"/> picks an envelope's events (null when it has none).</summary>
    public static PersisterInput<TEvent> FromEnvelopes<TEnvelope>(Batch<TEnvelope> batch, Func<TEnvelope, IReadOnlyList<TEvent>?> events)
        where TEnvelope : class
    {
        var input = new PersisterInput<TEvent>();
        foreach (var message in batch)
        {
            if (events(message.Message) is { } list)
            {
                input._envelopes.Add((message, list));
                input.Count += list.Count;
            }
            else
            {
                input._withoutEvents.Add(message);
            }
        }
        return input;
    }

    /// <summary>
    /// The decoded events in chunks of at most <paramref name="size"/>. The chunk list is reused: read it before asking for
    /// the next one. Events that cannot be decoded go to <paramref name="malformed"/>, in order.
    /// </summary>
    public IEnumerable<IReadOnlyList<TEvent>> Chunks(int size, ICollection<MalformedEvent> malformed)
    {
        var chunk = new List<TEvent>(Math.Min(size, Math.Max(Count, 1)));
        foreach (var e in _singles)
        {
            chunk.Add(e);
            if (chunk.Count == size)
            {
                yield return chunk;
                chunk.Clear();
            }
        }
        foreach (var (message, events) in _envelopes)
        {
            var received = events as ReceivedEvents<TEvent>;
            for (var i = 0; i < events.Count; i++)
            {
                if (received is not null)
                {
                    if (received.TryRead(i, out var e, out var error)) chunk.Add(e);
                    else malformed.Add(new MalformedEvent(message, i, received.Json(i), error));
                }
                else if (events[i] is { } e)
                {
                    chunk.Add(e);
                }
                else
                {
                    // An envelope handed over without serialization (never on a broker): its null element has no JSON.
                    malformed.Add(new MalformedEvent(message, i, "null"u8.ToArray(), "the event is null, not a JSON object."));
                }
                if (chunk.Count == size)
                {
                    yield return chunk;
                    chunk.Clear();
                }
            }
        }
        if (chunk.Count > 0) yield return chunk;
    }
}

/// <summary>An event of an envelope that could not be decoded: where it came from, its JSON as received, and why.</summary>
/// <param name="Envelope">The envelope message.</param>
/// <param name="Index">Its position in the envelope's <c>events</c> array, from 0.</param>
/// <param name="Json">The event's UTF-8 JSON exactly as received.</param>
/// <param name="Error">What is wrong, naming the field (never its value).</param>
public sealed record MalformedEvent(ConsumeContext Envelope, int Index, ReadOnlyMemory<byte> Json, string Error)
{
    /// <summary>How skip logs name it: the envelope's message id and the index.</summary>
    public string Describe() => $"{Envelope.MessageId}#{Index}";
}

public static class PersisterInputSkips
{
    /// <summary>Counts the envelopes without events (<c>missing_events</c>) and the malformed events (<c>malformed_event</c>).</summary>
    public static void AddUnreadable<TEvent>(this SkipTally skips, PersisterInput<TEvent> input, IEnumerable<MalformedEvent> malformed) where TEvent : class
    {
        foreach (var envelope in input.WithoutEvents) skips.Add(SkipReason.MissingEvents, $"{envelope.MessageId}");
        foreach (var m in malformed) skips.Add(SkipReason.MalformedEvent, m.Describe());
    }
}
