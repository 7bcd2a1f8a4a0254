namespace Persisters.ServiceBus.Emulator.Broker;

/// <summary>Service Bus's message states (the x-opt-message-state annotation: 0 active, 1 deferred, 2 scheduled).</summary>
public enum MessageState { Active = 0, Deferred = 1, Scheduled = 2 }

/// <summary>
/// One message held by an entity: the bytes the sender encoded (never changed: Service Bus keeps the bare message
/// as sent) plus the broker state that is written into the header and message annotations on each delivery.
/// </summary>
public sealed class StoredMessage
{
    public StoredMessage(byte[] encoded, MessageInfo info)
    {
        Encoded = encoded;
        Info = info;
    }

    public byte[] Encoded { get; }
    public MessageInfo Info { get; }
    public long SequenceNumber { get; set; }
    public DateTime EnqueuedTimeUtc { get; set; }

    /// <summary>Effective time to live: the smaller of the sender's and the entity's default; null when unbounded.</summary>
    public TimeSpan? TimeToLive { get; set; }
    public DateTime? ExpiresAtUtc { get; set; }

    /// <summary>How many times the message was handed to a receiver (locked or received and deleted).</summary>
    public int DeliveryCount { get; set; }
    public MessageState State { get; set; }
    public DateTime ScheduledEnqueueTimeUtc { get; set; }

    public Guid LockToken { get; set; }
    public DateTime LockedUntilUtc { get; set; }
    public bool IsLocked => LockToken != Guid.Empty;

    /// <summary>Application properties set by abandon/defer/dead-letter (properties-to-modify, dead-letter reason).</summary>
    public Dictionary<string, object?>? PropertyOverrides { get; set; }

    /// <summary>Entity a message was dead-lettered in before it was forwarded from that dead-letter queue.</summary>
    public string? DeadLetterSource { get; set; }

    /// <summary>How many auto-forwarding hops the message has made (Service Bus allows 4).</summary>
    public int ForwardHops { get; set; }

    public long Size => Encoded.Length;

    /// <summary>A copy for another entity (forwarding, fan-out, dead-lettering): same bytes and overrides, fresh broker state.</summary>
    public StoredMessage CopyForTransfer()
    {
        return new StoredMessage(Encoded, Info)
        {
            PropertyOverrides = PropertyOverrides is null ? null : new Dictionary<string, object?>(PropertyOverrides),
            DeadLetterSource = DeadLetterSource,
            ForwardHops = ForwardHops,
            DeliveryCount = 0,
        };
    }

    public void SetOverride(string name, object? value)
    {
        PropertyOverrides ??= new Dictionary<string, object?>(StringComparer.Ordinal);
        PropertyOverrides[name] = value;
    }
}
