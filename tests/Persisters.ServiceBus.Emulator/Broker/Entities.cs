namespace Persisters.ServiceBus.Emulator.Broker;

/// <summary>A queue, topic or subscription of the emulated namespace.</summary>
public abstract class MessagingEntity
{
    protected MessagingEntity(ServiceBusNamespace ns, string name, EntityProperties properties, DateTime now)
    {
        Namespace = ns;
        Name = name;
        Properties = properties;
        CreatedAt = UpdatedAt = AccessedAt = now;
    }

    public ServiceBusNamespace Namespace { get; }
    public string Name { get; }
    public abstract EntityKind Kind { get; }

    /// <summary>The entity's address below the namespace: "queue", "topic", "topic/Subscriptions/sub".</summary>
    public abstract string Path { get; }

    /// <summary>Replaced as a whole on update (readers take the reference once).</summary>
    public EntityProperties Properties { get; set; }
    public DateTime CreatedAt { get; }
    public DateTime UpdatedAt { get; set; }
    public DateTime AccessedAt { get; set; }
    public long SenderLinksOpened;
    public long MessagesReceivedFromSenders;

    /// <summary>Takes a message sent to (or forwarded to) this entity.</summary>
    /// <returns>The sequence number it got here (for a topic: the topic's own, used for scheduled messages).</returns>
    public abstract long Accept(StoredMessage message, DateTime now);

    /// <summary>Takes a message dead-lettered by one of this entity's stores.</summary>
    public virtual void AcceptDeadLettered(StoredMessage message) { }

    public abstract long SizeInBytes { get; }
}

/// <summary>A queue or a subscription: an entity with a message store, a dead-letter queue and optional auto-forwarding.</summary>
public abstract class ReceivableEntity : MessagingEntity
{
    private readonly DuplicateDetector duplicates = new();

    protected ReceivableEntity(ServiceBusNamespace ns, string name, EntityProperties properties, DateTime now)
        : base(ns, name, properties, now)
    {
        Store = new MessageStore(this, isDeadLetterQueue: false);
        DeadLetterStore = new MessageStore(this, isDeadLetterQueue: true);
    }

    public MessageStore Store { get; }
    public MessageStore DeadLetterStore { get; }

    public override long SizeInBytes => Store.SizeInBytes + DeadLetterStore.SizeInBytes;

    public override long Accept(StoredMessage message, DateTime now)
    {
        EntityProperties properties = Properties;
        if (Kind == EntityKind.Queue && properties.RequiresDuplicateDetection
            && duplicates.IsDuplicate(message.Info.MessageId, properties.DuplicateDetectionHistoryTimeWindow, now))
        {
            return 0;
        }

        if (!string.IsNullOrEmpty(properties.ForwardTo))
        {
            if (message.ForwardHops >= ServiceBusNamespace.MaxForwardHops)
            {
                message.SetOverride(AnnotationNames.DeadLetterReason, "MaxTransferHopCountExceeded");
                message.SetOverride(AnnotationNames.DeadLetterErrorDescription,
                    $"The message exceeded the maximum of {ServiceBusNamespace.MaxForwardHops} auto-forwarding hops.");
                return DeadLetterStore.Enqueue(message, now, keepSequenceNumber: false);
            }

            MessagingEntity? target = Namespace.FindForwardTarget(properties.ForwardTo);
            if (target != null)
            {
                StoredMessage copy = message.CopyForTransfer();
                copy.ForwardHops = message.ForwardHops + 1;
                return target.Accept(copy, now);
            }
        }

        return Store.Enqueue(message, now);
    }

    public override void AcceptDeadLettered(StoredMessage message)
    {
        DateTime now = Namespace.Clock();
        string? forward = Properties.ForwardDeadLetteredMessagesTo;
        if (!string.IsNullOrEmpty(forward) && Namespace.FindForwardTarget(forward) is { } target)
        {
            StoredMessage copy = message.CopyForTransfer();
            copy.DeadLetterSource = Path;
            copy.ForwardHops = message.ForwardHops + 1;
            target.Accept(copy, now);
            return;
        }

        DeadLetterStore.Enqueue(message, now, keepSequenceNumber: true);
    }
}

public sealed class QueueEntity : ReceivableEntity
{
    public QueueEntity(ServiceBusNamespace ns, string name, EntityProperties properties, DateTime now)
        : base(ns, name, properties, now) { }

    public override EntityKind Kind => EntityKind.Queue;
    public override string Path => Name;
}

public sealed class SubscriptionEntity : ReceivableEntity
{
    private readonly object rulesSync = new();
    private readonly List<Rule> rules = new();

    public SubscriptionEntity(ServiceBusNamespace ns, TopicEntity topic, string name, EntityProperties properties, DateTime now)
        : base(ns, name, properties, now)
    {
        Topic = topic;
    }

    public TopicEntity Topic { get; }
    public override EntityKind Kind => EntityKind.Subscription;
    public override string Path => $"{Topic.Name}/Subscriptions/{Name}";

    public IReadOnlyList<Rule> Rules { get { lock (rulesSync) { return rules.ToList(); } } }

    public bool TryAddRule(Rule rule)
    {
        lock (rulesSync)
        {
            if (rules.Any(r => string.Equals(r.Name, rule.Name, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }

            rules.Add(rule);
            return true;
        }
    }

    public bool ReplaceRule(Rule rule)
    {
        lock (rulesSync)
        {
            int index = rules.FindIndex(r => string.Equals(r.Name, rule.Name, StringComparison.OrdinalIgnoreCase));
            if (index < 0) { return false; }
            rules[index] = rule;
            return true;
        }
    }

    public bool RemoveRule(string name)
    {
        lock (rulesSync)
        {
            return rules.RemoveAll(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)) > 0;
        }
    }

    public Rule? FindRule(string name)
    {
        lock (rulesSync)
        {
            return rules.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>Service Bus selects a message for a subscription when any of its rules' filters matches.</summary>
    public bool Matches(MessageInfo info)
    {
        foreach (Rule rule in Rules)
        {
            try
            {
                if (rule.Filter.Matches(info))
                {
                    return true;
                }
            }
            catch (FilterEvaluationException)
            {
                // Service Bus skips a rule whose filter cannot be evaluated for this message.
            }
        }

        return false;
    }
}

public sealed class TopicEntity : MessagingEntity
{
    private readonly object sync = new();
    private readonly Dictionary<string, SubscriptionEntity> subscriptions = new(StringComparer.OrdinalIgnoreCase);
    private readonly SortedDictionary<long, StoredMessage> scheduled = new();
    private readonly DuplicateDetector duplicates = new();
    private long lastSequence;

    public TopicEntity(ServiceBusNamespace ns, string name, EntityProperties properties, DateTime now)
        : base(ns, name, properties, now) { }

    public override EntityKind Kind => EntityKind.Topic;
    public override string Path => Name;

    public IReadOnlyList<SubscriptionEntity> Subscriptions { get { lock (sync) { return subscriptions.Values.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToList(); } } }

    public long ScheduledCount { get { lock (sync) { return scheduled.Count; } } }

    public override long SizeInBytes
    {
        get
        {
            long size;
            lock (sync) { size = scheduled.Values.Sum(m => m.Size); }
            return size + Subscriptions.Sum(s => s.SizeInBytes);
        }
    }

    public SubscriptionEntity? FindSubscription(string name)
    {
        lock (sync) { return subscriptions.GetValueOrDefault(name); }
    }

    public bool TryAddSubscription(SubscriptionEntity subscription)
    {
        lock (sync) { return subscriptions.TryAdd(subscription.Name, subscription); }
    }

    public SubscriptionEntity? RemoveSubscription(string name)
    {
        lock (sync) { return subscriptions.Remove(name, out var removed) ? removed : null; }
    }

    /// <summary>Holds the message when it is scheduled for later; otherwise copies it to every subscription whose rules match.</summary>
    public override long Accept(StoredMessage message, DateTime now)
    {
        long sequence;
        lock (sync)
        {
            if (Properties.RequiresDuplicateDetection
                && duplicates.IsDuplicate(message.Info.MessageId, Properties.DuplicateDetectionHistoryTimeWindow, now))
            {
                return 0;
            }

            sequence = ++lastSequence;
            message.SequenceNumber = sequence;
            message.EnqueuedTimeUtc = now;
            if (message.Info.ScheduledEnqueueTimeUtc is { } at && at > now)
            {
                message.State = MessageState.Scheduled;
                message.ScheduledEnqueueTimeUtc = at;
                scheduled.Add(sequence, message);
                return sequence;
            }
        }

        Publish(message, now);
        return sequence;
    }

    private void Publish(StoredMessage message, DateTime now)
    {
        foreach (SubscriptionEntity subscription in Subscriptions)
        {
            if (subscription.Matches(message.Info))
            {
                StoredMessage copy = message.CopyForTransfer();
                copy.State = MessageState.Active;
                subscription.Accept(copy, now);
            }
        }
    }

    /// <returns>The sequence numbers that were not scheduled messages of this topic.</returns>
    public List<long> CancelScheduled(IEnumerable<long> sequenceNumbers)
    {
        var missing = new List<long>();
        lock (sync)
        {
            foreach (long sequence in sequenceNumbers)
            {
                if (!scheduled.Remove(sequence))
                {
                    missing.Add(sequence);
                }
            }
        }

        return missing;
    }

    public void Tick(DateTime now)
    {
        List<StoredMessage>? due = null;
        lock (sync)
        {
            foreach (var (sequence, message) in scheduled)
            {
                if (message.ScheduledEnqueueTimeUtc <= now)
                {
                    (due ??= new()).Add(message);
                }
            }

            if (due != null)
            {
                foreach (StoredMessage message in due)
                {
                    scheduled.Remove(message.SequenceNumber);
                }
            }
        }

        if (due != null)
        {
            foreach (StoredMessage message in due)
            {
                message.State = MessageState.Active;
                Publish(message, now);
            }
        }
    }
}

/// <summary>Service Bus duplicate detection: a MessageId seen within the history window is accepted and dropped.</summary>
internal sealed class DuplicateDetector
{
    private readonly Dictionary<string, DateTime> seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Id, DateTime At)> order = new();

    public bool IsDuplicate(string? messageId, TimeSpan window, DateTime now)
    {
        if (messageId == null)
        {
            return false;
        }

        lock (seen)
        {
            while (order.Count > 0 && order.Peek().At + window <= now)
            {
                var (id, at) = order.Dequeue();
                if (seen.TryGetValue(id, out DateTime last) && last == at)
                {
                    seen.Remove(id);
                }
            }

            if (seen.ContainsKey(messageId))
            {
                return true;
            }

            seen[messageId] = now;
            order.Enqueue((messageId, now));
            return false;
        }
    }
}
