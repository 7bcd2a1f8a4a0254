using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace Persisters.ServiceBus.Emulator.Broker;

/// <summary>
/// The parts of an incoming message the broker reads: system properties (for correlation and SQL filters),
/// application properties, the sender's time to live and scheduled enqueue time. Parsed once when the message
/// arrives; the encoded bytes are what is stored and delivered.
/// </summary>
public sealed class MessageInfo
{
    public string? MessageId { get; init; }
    public string? CorrelationId { get; init; }
    public string? To { get; init; }
    public string? ReplyTo { get; init; }
    public string? Subject { get; init; }
    public string? SessionId { get; init; }
    public string? ReplyToSessionId { get; init; }
    public string? ContentType { get; init; }

    /// <summary>Application properties as decoded by Microsoft.Azure.Amqp (string keys, AMQP primitive values).</summary>
    public IReadOnlyDictionary<string, object?> ApplicationProperties { get; init; } = new Dictionary<string, object?>();

    /// <summary>The header's ttl (milliseconds on the wire), if the sender set one.</summary>
    public TimeSpan? TimeToLive { get; init; }

    /// <summary>The <c>x-opt-scheduled-enqueue-time</c> message annotation (UTC), if set.</summary>
    public DateTime? ScheduledEnqueueTimeUtc { get; init; }

    /// <summary>Decodes one encoded AMQP message (header, annotations, properties, application properties, body).</summary>
    /// <exception cref="AmqpException">amqp:decode-error when the bytes are not an AMQP message.</exception>
    public static MessageInfo Parse(byte[] encoded)
    {
        AmqpMessage message;
        try
        {
            message = AmqpMessage.CreateAmqpStreamMessage(new BufferListStream(new[] { new ArraySegment<byte>(encoded) }), true);
            message.Deserialize(SectionFlag.All);
        }
        catch (Exception ex) when (ex is not AmqpException)
        {
            throw new AmqpException(AmqpErrorCode.DecodeError, "The message could not be decoded: " + ex.Message);
        }

        using (message)
        {
            Properties? properties = message.Properties;
            var applicationProperties = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (message.ApplicationProperties != null)
            {
                foreach (var pair in message.ApplicationProperties.Map)
                {
                    applicationProperties[pair.Key.Key.ToString()!] = pair.Value;
                }
            }

            TimeSpan? ttl = null;
            if (message.Header?.Ttl is uint ms)
            {
                ttl = TimeSpan.FromMilliseconds(ms);
            }

            DateTime? scheduled = null;
            if (message.MessageAnnotations?.Map[AnnotationNames.ScheduledEnqueueTime] is DateTime at)
            {
                scheduled = at.ToUniversalTime();
            }

            return new MessageInfo
            {
                MessageId = properties?.MessageId?.ToString(),
                CorrelationId = properties?.CorrelationId?.ToString(),
                To = properties?.To?.ToString(),
                ReplyTo = properties?.ReplyTo?.ToString(),
                Subject = properties?.Subject,
                SessionId = properties?.GroupId,
                ReplyToSessionId = properties?.ReplyToGroupId,
                ContentType = properties?.ContentType.Value,
                ApplicationProperties = applicationProperties,
                TimeToLive = ttl,
                ScheduledEnqueueTimeUtc = scheduled,
            };
        }
    }
}

/// <summary>Service Bus message annotation names (the SDK's AmqpMessageConstants).</summary>
public static class AnnotationNames
{
    public const string EnqueuedTime = "x-opt-enqueued-time";
    public const string ScheduledEnqueueTime = "x-opt-scheduled-enqueue-time";
    public const string SequenceNumber = "x-opt-sequence-number";
    public const string EnqueueSequenceNumber = "x-opt-enqueue-sequence-number";
    public const string LockedUntil = "x-opt-locked-until";
    public const string DeadLetterSource = "x-opt-deadletter-source";
    public const string MessageState = "x-opt-message-state";

    /// <summary>Application property names Service Bus sets on a dead-lettered message.</summary>
    public const string DeadLetterReason = "DeadLetterReason";
    public const string DeadLetterErrorDescription = "DeadLetterErrorDescription";
}
