using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace Persisters.ServiceBus.Emulator.Broker;

/// <summary>
/// Builds the AMQP message Service Bus delivers for a stored message: the sender's bytes with the header's
/// delivery-count and ttl and the broker's message annotations (sequence number, enqueued time, locked until,
/// message state) written in, and application-property overrides applied. The body bytes are copied as they are.
/// </summary>
public static class DeliveryEncoder
{
    /// <param name="message">The stored message (read under its store's lock).</param>
    /// <param name="peeked">
    /// True for peek and $management reads: the header carries the delivery count as is. False for a delivery on a
    /// receiver link: AMQP's delivery-count counts prior deliveries, so it is one less (the SDK adds one back).
    /// </param>
    public static AmqpMessage Encode(StoredMessage message, bool peeked)
    {
        AmqpMessage amqp = AmqpMessage.CreateAmqpStreamMessage(new BufferListStream(new[] { new ArraySegment<byte>(message.Encoded) }));
        amqp.Deserialize(SectionFlag.All);
        Header header = amqp.Header;
        header.DeliveryCount = (uint)Math.Max(0, peeked ? message.DeliveryCount : message.DeliveryCount - 1);
        if (message.TimeToLive is { } ttl && ttl.TotalMilliseconds < uint.MaxValue)
        {
            header.Ttl = (uint)ttl.TotalMilliseconds;
        }

        var annotations = amqp.MessageAnnotations.Map;
        annotations[AnnotationNames.SequenceNumber] = message.SequenceNumber;
        annotations[AnnotationNames.EnqueueSequenceNumber] = message.SequenceNumber;
        annotations[AnnotationNames.EnqueuedTime] = message.EnqueuedTimeUtc;
        annotations[AnnotationNames.MessageState] = (int)message.State;
        if (message.IsLocked)
        {
            annotations[AnnotationNames.LockedUntil] = message.LockedUntilUtc;
        }

        if (message.DeadLetterSource != null)
        {
            annotations[AnnotationNames.DeadLetterSource] = message.DeadLetterSource;
        }

        if (message.PropertyOverrides is { Count: > 0 } overrides)
        {
            amqp.ApplicationProperties ??= new ApplicationProperties();
            foreach (var (name, value) in overrides)
            {
                amqp.ApplicationProperties.Map[name] = value;
            }
        }

        return amqp;
    }

    /// <summary>The encoded bytes of a delivery as one array (for $management responses that carry messages as binary).</summary>
    public static byte[] EncodeToBytes(StoredMessage message, bool peeked)
    {
        using AmqpMessage amqp = Encode(message, peeked);
        ArraySegment<byte>[] payload = amqp.GetPayload();
        int length = payload.Sum(s => s.Count);
        var bytes = new byte[length];
        int offset = 0;
        foreach (var segment in payload)
        {
            Buffer.BlockCopy(segment.Array!, segment.Offset, bytes, offset, segment.Count);
            offset += segment.Count;
        }

        return bytes;
    }
}
