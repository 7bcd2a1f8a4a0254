using Microsoft.Azure.Amqp;
using Microsoft.Azure.Amqp.Framing;

namespace Persisters.ServiceBus.Emulator.Broker;

/// <summary>
/// The messages of one receivable entity (a queue, a subscription, or the dead-letter queue of either) and the
/// receiver links reading it. Implements Service Bus's peek-lock semantics: a delivered message is locked for the
/// entity's LockDuration under a lock token (the delivery tag); complete removes it, abandon or lock expiry makes
/// it available again, and after MaxDeliveryCount deliveries it moves to the dead-letter queue with reason
/// MaxDeliveryCountExceeded. All state changes happen under one lock; AMQP sends happen after it is released.
/// </summary>
public sealed class MessageStore
{
    private readonly object sync = new();
    private readonly SortedDictionary<long, StoredMessage> messages = new();
    private readonly SortedSet<long> available = new();
    private readonly Dictionary<Guid, StoredMessage> locks = new();
    private readonly SortedSet<(DateTime At, long Sequence)> lockExpiries = new();
    private readonly SortedSet<(DateTime At, long Sequence)> scheduled = new();
    private readonly List<Consumer> consumers = new();
    private int nextConsumer;
    private long lastSequence;
    private long sizeInBytes;

    public MessageStore(MessagingEntity owner, bool isDeadLetterQueue)
    {
        Owner = owner;
        IsDeadLetterQueue = isDeadLetterQueue;
    }

    public MessagingEntity Owner { get; }
    public bool IsDeadLetterQueue { get; }
    public string Path => IsDeadLetterQueue ? Owner.Path + "/$DeadLetterQueue" : Owner.Path;
    public StoreCounters Counters { get; } = new();

    public long SizeInBytes { get { lock (sync) { return sizeInBytes; } } }

    /// <summary>Counts by state, read together under the store's lock.</summary>
    public (long Active, long Scheduled, long Deferred, long Locked, long Total) CountMessages()
    {
        lock (sync)
        {
            long deferred = messages.Values.Count(m => m.State == MessageState.Deferred);
            long sched = scheduled.Count;
            long total = messages.Count;
            return (total - deferred - sched, sched, deferred, locks.Count, total);
        }
    }

    public int ReceiverLinkCount { get { lock (sync) { return consumers.Count; } } }

    /// <summary>
    /// Stores a message: assigns its sequence number (unless <paramref name="keepSequenceNumber"/>, used when
    /// dead-lettering) and enqueued time, applies the entity's default time to live, and holds it as scheduled when
    /// its scheduled enqueue time lies ahead.
    /// </summary>
    /// <returns>The sequence number.</returns>
    public long Enqueue(StoredMessage message, DateTime now, bool keepSequenceNumber = false)
    {
        var after = new List<Action>();
        long sequence;
        lock (sync)
        {
            if (!keepSequenceNumber || message.SequenceNumber <= 0)
            {
                message.SequenceNumber = ++lastSequence;
            }
            else
            {
                lastSequence = Math.Max(lastSequence, message.SequenceNumber);
            }

            sequence = message.SequenceNumber;
            message.EnqueuedTimeUtc = now;
            if (!IsDeadLetterQueue)
            {
                TimeSpan entityTtl = Owner.Properties.DefaultMessageTimeToLive;
                TimeSpan? ttl = message.Info.TimeToLive is { } senderTtl && senderTtl < entityTtl ? senderTtl : entityTtl;
                message.TimeToLive = ttl == TimeSpan.MaxValue ? message.Info.TimeToLive : ttl;
                message.ExpiresAtUtc = message.TimeToLive is { } t && DateTime.MaxValue - now > t ? now + t : null;
            }
            else
            {
                // Service Bus does not expire messages in a dead-letter queue.
                message.ExpiresAtUtc = null;
            }

            while (messages.ContainsKey(message.SequenceNumber))
            {
                message.SequenceNumber = ++lastSequence;
                sequence = message.SequenceNumber;
            }

            messages.Add(sequence, message);
            sizeInBytes += message.Size;
            if (message.Info.ScheduledEnqueueTimeUtc is { } at && at > now && message.State != MessageState.Deferred)
            {
                message.State = MessageState.Scheduled;
                message.ScheduledEnqueueTimeUtc = at;
                scheduled.Add((at, sequence));
            }
            else if (message.State != MessageState.Deferred)
            {
                message.State = MessageState.Active;
                available.Add(sequence);
            }

            Counters.Enqueued++;
            Dispatch(now, after);
        }

        Run(after);
        return sequence;
    }

    public void AddConsumer(Consumer consumer)
    {
        lock (sync)
        {
            consumers.Add(consumer);
            Counters.ReceiverLinksOpened++;
        }
    }

    public void RemoveConsumer(Consumer consumer)
    {
        lock (sync)
        {
            consumers.Remove(consumer);
            Counters.ReceiverLinksClosed++;
        }
    }

    /// <summary>A receiver link granted <paramref name="credit"/> more messages (an AMQP flow), or asked to drain.</summary>
    public void OnCredit(Consumer consumer, uint credit, bool drain, DateTime now)
    {
        var after = new List<Action>();
        lock (sync)
        {
            Counters.CreditFlows++;
            Counters.CreditGranted += credit;
            consumer.Credit = (int)Math.Min(int.MaxValue, (long)consumer.Credit + credit);
            Dispatch(now, after);
        }

        Run(after);
        if (drain)
        {
            lock (sync)
            {
                consumer.Credit = 0;
            }
        }
    }

    /// <summary>Hands available messages to receiver links with credit (called with the lock held).</summary>
    private void Dispatch(DateTime now, List<Action> after)
    {
        if (consumers.Count == 0 || available.Count == 0 || !Owner.Properties.ReceiveEnabled)
        {
            return;
        }

        while (available.Count > 0)
        {
            Consumer? consumer = NextConsumerWithCredit();
            if (consumer == null)
            {
                return;
            }

            long sequence = available.Min;
            available.Remove(sequence);
            StoredMessage message = messages[sequence];
            if (message.ExpiresAtUtc is { } expires && expires <= now)
            {
                Expire(message, after);
                continue;
            }

            consumer.Credit--;
            message.DeliveryCount++;
            Counters.Delivered++;
            Guid token = Guid.NewGuid();
            if (consumer.ReceiveAndDelete)
            {
                Remove(message);
                AmqpMessage delivery = DeliveryEncoder.Encode(message, peeked: false);
                after.Add(() => consumer.Send(delivery, token));
            }
            else
            {
                Lock(message, token, now);
                AmqpMessage delivery = DeliveryEncoder.Encode(message, peeked: false);
                after.Add(() => consumer.Send(delivery, token));
            }
        }
    }

    private Consumer? NextConsumerWithCredit()
    {
        for (int i = 0; i < consumers.Count; i++)
        {
            nextConsumer = (nextConsumer + 1) % consumers.Count;
            Consumer candidate = consumers[nextConsumer];
            if (candidate.Credit > 0 && !candidate.Closed)
            {
                return candidate;
            }
        }

        return null;
    }

    private void Lock(StoredMessage message, Guid token, DateTime now)
    {
        message.LockToken = token;
        message.LockedUntilUtc = now + Owner.Properties.LockDuration;
        locks[token] = message;
        lockExpiries.Add((message.LockedUntilUtc, message.SequenceNumber));
    }

    private void Unlock(StoredMessage message)
    {
        if (message.IsLocked)
        {
            locks.Remove(message.LockToken);
            lockExpiries.Remove((message.LockedUntilUtc, message.SequenceNumber));
            message.LockToken = Guid.Empty;
        }
    }

    private void Remove(StoredMessage message)
    {
        Unlock(message);
        if (messages.Remove(message.SequenceNumber))
        {
            sizeInBytes -= message.Size;
        }

        available.Remove(message.SequenceNumber);
        if (message.State == MessageState.Scheduled)
        {
            scheduled.Remove((message.ScheduledEnqueueTimeUtc, message.SequenceNumber));
        }
    }

    /// <summary>
    /// Settles a locked message by lock token, as Service Bus treats the AMQP outcomes: Accepted completes; Released
    /// unlocks without counting the delivery (the message is available again with its delivery count unchanged and
    /// never dead-lettered for it: Service Bus team, Azure/amqpnetlite#342); Modified abandons, counting the delivery
    /// whether delivery-failed is set or not (the SDK's abandon leaves it unset), or defers when undeliverable-here is
    /// true (the SDK's defer); Rejected dead-letters (reason and description from the error's info,
    /// com.microsoft:dead-letter). Any other state abandons.
    /// </summary>
    /// <returns>The outcome to answer with (Rejected without error for a dead-letter), or Rejected with com.microsoft:message-lock-lost.</returns>
    public Outcome Settle(Guid token, DeliveryState? state, DateTime now)
    {
        var after = new List<Action>();
        Outcome result;
        lock (sync)
        {
            if (!locks.TryGetValue(token, out StoredMessage? message) || message.LockedUntilUtc <= now)
            {
                Counters.LockLost++;
                return ServiceBusErrors.LockLostOutcome(Path);
            }

            switch (state)
            {
                case Accepted:
                    Remove(message);
                    Counters.Completed++;
                    result = (Outcome)state;
                    break;
                case Modified modified when modified.UndeliverableHere == true:
                    ApplyOverrides(message, modified.MessageAnnotations);
                    Unlock(message);
                    message.State = MessageState.Deferred;
                    Counters.Deferred++;
                    result = modified;
                    break;
                case Modified modified:
                    ApplyOverrides(message, modified.MessageAnnotations);
                    Abandon(message, now, after);
                    result = modified;
                    break;
                case Rejected rejected:
                    string? reason = null, description = null;
                    if (rejected.Error?.Info is { } info)
                    {
                        foreach (var pair in info)
                        {
                            string key = pair.Key.Key.ToString()!;
                            if (key == AnnotationNames.DeadLetterReason) { reason = pair.Value?.ToString(); }
                            else if (key == AnnotationNames.DeadLetterErrorDescription) { description = pair.Value?.ToString(); }
                            else { message.SetOverride(key, pair.Value); }
                        }
                    }

                    DeadLetter(message, reason, description, after);
                    // Answered without the error: the SDK reads a Rejected outcome carrying an error as a failed settlement.
                    result = AmqpConstants.RejectedOutcome;
                    break;
                case Released:
                    Release(message);
                    result = AmqpConstants.ReleasedOutcome;
                    break;
                default:
                    Abandon(message, now, after);
                    result = AmqpConstants.ReleasedOutcome;
                    break;
            }

            Dispatch(now, after);
        }

        Run(after);
        return result;
    }

    /// <summary>$management update-disposition: completed, abandoned, suspended (dead-letter) or defered.</summary>
    /// <returns>False when a lock token is unknown or expired (the caller answers 410 message-lock-lost).</returns>
    public bool UpdateDisposition(Guid token, string status, string? reason, string? description,
        IEnumerable<KeyValuePair<string, object?>>? propertiesToModify, DateTime now)
    {
        var after = new List<Action>();
        lock (sync)
        {
            if (!locks.TryGetValue(token, out StoredMessage? message) || message.LockedUntilUtc <= now)
            {
                Counters.LockLost++;
                return false;
            }

            if (propertiesToModify != null)
            {
                foreach (var (key, value) in propertiesToModify)
                {
                    message.SetOverride(key, value);
                }
            }

            switch (status)
            {
                case "completed":
                    Remove(message);
                    Counters.Completed++;
                    break;
                case "abandoned":
                    Abandon(message, now, after);
                    break;
                case "suspended":
                    DeadLetter(message, reason, description, after);
                    break;
                case "defered":
                    Unlock(message);
                    message.State = MessageState.Deferred;
                    Counters.Deferred++;
                    break;
                default:
                    throw ServiceBusErrors.Argument($"Unknown disposition-status '{status}'.");
            }

            Dispatch(now, after);
        }

        Run(after);
        return true;
    }

    private static void ApplyOverrides(StoredMessage message, Fields? annotations)
    {
        if (annotations == null)
        {
            return;
        }

        foreach (var pair in annotations)
        {
            message.SetOverride(pair.Key.Key.ToString()!, pair.Value);
        }
    }

    /// <summary>Unlocks a message and takes back the delivery that locked it (the count was raised on dispatch).</summary>
    private void Release(StoredMessage message)
    {
        Unlock(message);
        message.DeliveryCount = Math.Max(0, message.DeliveryCount - 1);
        Counters.Released++;
        available.Add(message.SequenceNumber);
    }

    private void Abandon(StoredMessage message, DateTime now, List<Action> after, bool countAsAbandon = true)
    {
        Unlock(message);
        if (countAsAbandon)
        {
            Counters.Abandoned++;
        }

        if (!IsDeadLetterQueue && message.DeliveryCount >= Owner.Properties.MaxDeliveryCount)
        {
            DeadLetter(message, "MaxDeliveryCountExceeded",
                $"Message could not be consumed after {Owner.Properties.MaxDeliveryCount} delivery attempts.", after);
            return;
        }

        available.Add(message.SequenceNumber);
    }

    private void Expire(StoredMessage message, List<Action> after)
    {
        Counters.Expired++;
        if (!IsDeadLetterQueue && Owner.Properties.DeadLetteringOnMessageExpiration)
        {
            DeadLetter(message, "TTLExpiredException", "The message expired and was dead lettered.", after);
        }
        else
        {
            Remove(message);
        }
    }

    /// <summary>Moves a message to the entity's dead-letter queue (or its ForwardDeadLetteredMessagesTo entity).</summary>
    private void DeadLetter(StoredMessage message, string? reason, string? description, List<Action> after)
    {
        Remove(message);
        Counters.DeadLettered++;
        if (IsDeadLetterQueue)
        {
            // A dead-letter queue has no dead-letter queue of its own: Service Bus keeps the message where it is.
            messages.Add(message.SequenceNumber, message);
            sizeInBytes += message.Size;
            available.Add(message.SequenceNumber);
            return;
        }

        if (reason != null) { message.SetOverride(AnnotationNames.DeadLetterReason, reason); }
        if (description != null) { message.SetOverride(AnnotationNames.DeadLetterErrorDescription, description); }
        message.State = MessageState.Active;
        after.Add(() => Owner.AcceptDeadLettered(message));
    }

    /// <summary>Extends a lock by the entity's LockDuration from now.</summary>
    /// <returns>The new locked-until time, or null when the lock is unknown or has expired.</returns>
    public DateTime? RenewLock(Guid token, DateTime now)
    {
        lock (sync)
        {
            if (!locks.TryGetValue(token, out StoredMessage? message) || message.LockedUntilUtc <= now)
            {
                Counters.LockLost++;
                return null;
            }

            lockExpiries.Remove((message.LockedUntilUtc, message.SequenceNumber));
            message.LockedUntilUtc = now + Owner.Properties.LockDuration;
            lockExpiries.Add((message.LockedUntilUtc, message.SequenceNumber));
            Counters.LockRenewals++;
            return message.LockedUntilUtc;
        }
    }

    /// <summary>
    /// Browses up to <paramref name="count"/> messages from <paramref name="fromSequence"/> on, in sequence order,
    /// whatever their state (active, locked, deferred, scheduled), without locking them. Expired ones are skipped.
    /// </summary>
    public List<byte[]> Peek(long fromSequence, int count, DateTime now)
    {
        var result = new List<byte[]>();
        lock (sync)
        {
            foreach (var (sequence, message) in messages)
            {
                if (sequence < fromSequence) { continue; }
                if (result.Count >= count) { break; }
                if (message.ExpiresAtUtc is { } expires && expires <= now) { continue; }
                result.Add(DeliveryEncoder.EncodeToBytes(message, peeked: true));
            }
        }

        return result;
    }

    /// <summary>$management receive-by-sequence-number: locks (or removes) deferred messages.</summary>
    /// <returns>The deliveries as (lock token, encoded message); null when a sequence number is not a deferred message.</returns>
    public List<(Guid LockToken, byte[] Message)>? ReceiveDeferred(IReadOnlyList<long> sequenceNumbers, bool peekLock, DateTime now)
    {
        lock (sync)
        {
            var found = new List<StoredMessage>();
            foreach (long sequence in sequenceNumbers)
            {
                if (!messages.TryGetValue(sequence, out StoredMessage? message) || message.State != MessageState.Deferred || message.IsLocked)
                {
                    return null;
                }

                found.Add(message);
            }

            var result = new List<(Guid, byte[])>();
            foreach (StoredMessage message in found)
            {
                message.DeliveryCount++;
                Counters.Delivered++;
                Guid token = Guid.NewGuid();
                if (peekLock)
                {
                    Lock(message, token, now);
                    result.Add((token, DeliveryEncoder.EncodeToBytes(message, peeked: false)));
                }
                else
                {
                    Remove(message);
                    result.Add((token, DeliveryEncoder.EncodeToBytes(message, peeked: false)));
                }
            }

            return result;
        }
    }

    /// <summary>Removes scheduled messages by sequence number.</summary>
    /// <returns>The sequence numbers that were not scheduled messages of this entity.</returns>
    public List<long> CancelScheduled(IEnumerable<long> sequenceNumbers)
    {
        var missing = new List<long>();
        lock (sync)
        {
            foreach (long sequence in sequenceNumbers)
            {
                if (messages.TryGetValue(sequence, out StoredMessage? message) && message.State == MessageState.Scheduled)
                {
                    Remove(message);
                    Counters.ScheduledCancelled++;
                }
                else
                {
                    missing.Add(sequence);
                }
            }
        }

        return missing;
    }

    /// <summary>Periodic work: expired locks (abandon, or dead-letter after MaxDeliveryCount), due scheduled messages, expired messages.</summary>
    public void Tick(DateTime now, bool sweepExpired)
    {
        var after = new List<Action>();
        lock (sync)
        {
            while (lockExpiries.Count > 0 && lockExpiries.Min.At <= now)
            {
                var (_, sequence) = lockExpiries.Min;
                lockExpiries.Remove(lockExpiries.Min);
                if (messages.TryGetValue(sequence, out StoredMessage? message) && message.IsLocked)
                {
                    locks.Remove(message.LockToken);
                    message.LockToken = Guid.Empty;
                    Counters.LockExpired++;
                    Abandon(message, now, after, countAsAbandon: false);
                }
            }

            while (scheduled.Count > 0 && scheduled.Min.At <= now)
            {
                var entry = scheduled.Min;
                scheduled.Remove(entry);
                if (messages.TryGetValue(entry.Sequence, out StoredMessage? message))
                {
                    message.State = MessageState.Active;
                    message.EnqueuedTimeUtc = now;
                    available.Add(entry.Sequence);
                }
            }

            if (sweepExpired && !IsDeadLetterQueue)
            {
                List<StoredMessage>? expired = null;
                foreach (long sequence in available)
                {
                    StoredMessage message = messages[sequence];
                    if (message.ExpiresAtUtc is { } expires && expires <= now)
                    {
                        (expired ??= new()).Add(message);
                    }
                }

                if (expired != null)
                {
                    foreach (StoredMessage message in expired)
                    {
                        available.Remove(message.SequenceNumber);
                        Expire(message, after);
                    }
                }
            }

            Dispatch(now, after);
        }

        Run(after);
    }

    /// <summary>Drops every message (entity deleted) and returns the receiver links so the caller can close them.</summary>
    public List<Consumer> Clear()
    {
        lock (sync)
        {
            messages.Clear();
            available.Clear();
            locks.Clear();
            lockExpiries.Clear();
            scheduled.Clear();
            sizeInBytes = 0;
            var all = consumers.ToList();
            consumers.Clear();
            return all;
        }
    }

    private static void Run(List<Action> actions)
    {
        foreach (Action action in actions)
        {
            action();
        }
    }
}

/// <summary>Cumulative counters of one store, for GET /_emulator/stats.</summary>
public sealed class StoreCounters
{
    public long ReceiverLinksOpened;
    public long ReceiverLinksClosed;
    public long CreditFlows;
    public long CreditGranted;
    public long Enqueued;
    public long Delivered;
    public long Completed;
    public long Abandoned;
    public long Released;
    public long Deferred;
    public long DeadLettered;
    public long Expired;
    public long LockExpired;
    public long LockLost;
    public long LockRenewals;
    public long ScheduledCancelled;

    public void Reset()
    {
        ReceiverLinksOpened = ReceiverLinksClosed = CreditFlows = CreditGranted = Enqueued = Delivered = Completed = 0;
        Abandoned = Released = Deferred = DeadLettered = Expired = LockExpired = LockLost = LockRenewals = ScheduledCancelled = 0;
    }
}
