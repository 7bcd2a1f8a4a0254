namespace Persisters.ServiceBus.Emulator.Broker;

/// <summary>What an AMQP address names.</summary>
public enum AddressKind { Entity, DeadLetterQueue, Management, Cbs }

/// <summary>A resolved AMQP address: the entity, which of its stores, and whether the $management node was addressed.</summary>
public sealed record ResolvedAddress(MessagingEntity Entity, MessageStore? Store, bool IsManagement);

/// <summary>
/// The emulated namespace: its queues and topics (names case-insensitive, one name space for both, as in Service Bus),
/// address resolution for AMQP links, and the timer that expires locks, releases scheduled messages and sweeps
/// expired ones.
/// </summary>
public sealed class ServiceBusNamespace : IDisposable
{
    /// <summary>Service Bus forwards a message across at most 4 auto-forwarding hops.</summary>
    public const int MaxForwardHops = 4;

    private readonly object sync = new();
    private readonly Dictionary<string, QueueEntity> queues = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, TopicEntity> topics = new(StringComparer.OrdinalIgnoreCase);
    private readonly Timer timer;
    private int ticks;

    public ServiceBusNamespace(string name, Func<DateTime>? clock = null, TimeSpan? tickInterval = null)
    {
        Name = name;
        Clock = clock ?? (() => DateTime.UtcNow);
        CreatedAt = Clock();
        TimeSpan interval = tickInterval ?? TimeSpan.FromMilliseconds(50);
        timer = new Timer(_ => Tick(), null, interval, interval);
    }

    public string Name { get; }
    public Func<DateTime> Clock { get; }
    public DateTime CreatedAt { get; }

    public IReadOnlyList<QueueEntity> Queues { get { lock (sync) { return queues.Values.OrderBy(q => q.Name, StringComparer.OrdinalIgnoreCase).ToList(); } } }
    public IReadOnlyList<TopicEntity> Topics { get { lock (sync) { return topics.Values.OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase).ToList(); } } }

    public QueueEntity? FindQueue(string name) { lock (sync) { return queues.GetValueOrDefault(name); } }
    public TopicEntity? FindTopic(string name) { lock (sync) { return topics.GetValueOrDefault(name); } }

    public MessagingEntity? FindQueueOrTopic(string name)
    {
        lock (sync)
        {
            return queues.TryGetValue(name, out var q) ? q : topics.GetValueOrDefault(name);
        }
    }

    public SubscriptionEntity? FindSubscription(string topic, string subscription) =>
        FindTopic(topic)?.FindSubscription(subscription);

    /// <summary>Creates a queue; false when a queue or topic of that name exists.</summary>
    public bool TryAddQueue(string name, EntityProperties properties, out QueueEntity queue)
    {
        lock (sync)
        {
            queue = new QueueEntity(this, name, properties, Clock());
            if (queues.ContainsKey(name) || topics.ContainsKey(name))
            {
                return false;
            }

            queues.Add(name, queue);
            return true;
        }
    }

    public bool TryAddTopic(string name, EntityProperties properties, out TopicEntity topic)
    {
        lock (sync)
        {
            topic = new TopicEntity(this, name, properties, Clock());
            if (queues.ContainsKey(name) || topics.ContainsKey(name))
            {
                return false;
            }

            topics.Add(name, topic);
            return true;
        }
    }

    /// <summary>Deletes a queue or topic (with its subscriptions); its receiver links are closed with amqp:not-found.</summary>
    public MessagingEntity? Remove(string name)
    {
        MessagingEntity? removed;
        lock (sync)
        {
            removed = queues.Remove(name, out var q) ? q : topics.Remove(name, out var t) ? t : null;
        }

        switch (removed)
        {
            case QueueEntity queue: CloseStores(queue); break;
            case TopicEntity topic:
                foreach (SubscriptionEntity s in topic.Subscriptions) { CloseStores(s); }
                break;
        }

        return removed;
    }

    public static void CloseStores(ReceivableEntity entity)
    {
        foreach (MessageStore store in new[] { entity.Store, entity.DeadLetterStore })
        {
            foreach (Consumer consumer in store.Clear())
            {
                consumer.Close(ServiceBusErrors.NotFound(store.Path));
            }
        }
    }

    /// <summary>
    /// Resolves a ForwardTo / ForwardDeadLetteredMessagesTo value: an entity name, or an absolute URI whose path
    /// names it (the administration client sends "http(s)://namespace/name").
    /// </summary>
    public MessagingEntity? FindForwardTarget(string forwardTo)
    {
        string name = forwardTo;
        if (Uri.TryCreate(forwardTo, UriKind.Absolute, out Uri? uri) && uri.Scheme != "file")
        {
            name = Uri.UnescapeDataString(uri.AbsolutePath);
        }

        return FindQueueOrTopic(name.Trim('/'));
    }

    /// <summary>
    /// Resolves an AMQP link address as the SDK sends it ("/queue", "queue/$DeadLetterQueue",
    /// "topic/Subscriptions/sub", "queue/$management", an absolute URI). Null when no such entity exists.
    /// </summary>
    public ResolvedAddress? Resolve(string address)
    {
        string path = address;
        if (Uri.TryCreate(address, UriKind.Absolute, out Uri? uri) && uri.Scheme is "amqp" or "amqps" or "sb" or "http" or "https")
        {
            path = Uri.UnescapeDataString(uri.AbsolutePath);
        }

        path = path.Trim('/');
        bool management = false;
        if (path.EndsWith("/$management", StringComparison.OrdinalIgnoreCase))
        {
            management = true;
            path = path[..^"/$management".Length];
        }

        bool deadLetter = false;
        if (path.EndsWith("/$DeadLetterQueue", StringComparison.OrdinalIgnoreCase))
        {
            deadLetter = true;
            path = path[..^"/$DeadLetterQueue".Length];
        }

        // Topic names may contain '/', subscription names may not: "{topic}/Subscriptions/{subscription}".
        string[] parts = path.Split('/');
        if (parts.Length >= 3 && string.Equals(parts[^2], "Subscriptions", StringComparison.OrdinalIgnoreCase))
        {
            SubscriptionEntity? subscription = FindSubscription(string.Join('/', parts[..^2]), parts[^1]);
            return subscription == null
                ? null
                : new ResolvedAddress(subscription, deadLetter ? subscription.DeadLetterStore : subscription.Store, management);
        }

        MessagingEntity? entity = FindQueueOrTopic(path);
        return entity switch
        {
            QueueEntity queue => new ResolvedAddress(queue, deadLetter ? queue.DeadLetterStore : queue.Store, management),
            TopicEntity topic when !deadLetter => new ResolvedAddress(topic, null, management),
            _ => null,
        };
    }

    /// <summary>Every store (queues, subscriptions, and their dead-letter queues).</summary>
    public IEnumerable<MessageStore> AllStores()
    {
        foreach (QueueEntity q in Queues)
        {
            yield return q.Store;
            yield return q.DeadLetterStore;
        }

        foreach (TopicEntity t in Topics)
        {
            foreach (SubscriptionEntity s in t.Subscriptions)
            {
                yield return s.Store;
                yield return s.DeadLetterStore;
            }
        }
    }

    private int ticking;

    private void Tick()
    {
        if (Interlocked.Exchange(ref ticking, 1) == 1)
        {
            return;
        }

        try
        {
            DateTime now = Clock();
            bool sweep = Interlocked.Increment(ref ticks) % 20 == 0;
            foreach (TopicEntity topic in Topics)
            {
                topic.Tick(now);
            }

            foreach (MessageStore store in AllStores())
            {
                store.Tick(now, sweep);
            }
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"servicebus-emulator: timer failed: {ex}");
        }
        finally
        {
            Volatile.Write(ref ticking, 0);
        }
    }

    public void Dispose() => timer.Dispose();
}
