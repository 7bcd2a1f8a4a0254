using System.Text.Json;
using Persisters.ServiceBus.Emulator.Broker;

namespace Persisters.ServiceBus.Emulator.Http;

/// <summary>
/// Counters for tests and benchmarks (not part of Service Bus): GET /_emulator/stats answers JSON with, per
/// address (queue, topic, "topic/Subscriptions/sub", and their "/$DeadLetterQueue"), the open receiver links,
/// credit flows (AMQP flow frames that granted credit: the receive calls a broker sees), message counts by state
/// and cumulative delivery counters. POST /_emulator/stats/reset zeroes the cumulative counters.
/// </summary>
public sealed class StatsApi(ServiceBusNamespace ns, Func<int> connectionCount)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public async Task HandleAsync(HttpContext context)
    {
        string path = context.Request.Path.Value?.TrimEnd('/') ?? "";
        if (path.Equals("/_emulator/stats/reset", StringComparison.OrdinalIgnoreCase) && context.Request.Method == "POST")
        {
            foreach (MessageStore store in ns.AllStores())
            {
                store.Counters.Reset();
            }

            context.Response.StatusCode = 204;
            return;
        }

        if (path.Equals("/_emulator/stats", StringComparison.OrdinalIgnoreCase) && context.Request.Method == "GET")
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(JsonSerializer.Serialize(Snapshot(), Json));
            return;
        }

        if (path.Equals("/_emulator/health", StringComparison.OrdinalIgnoreCase))
        {
            await context.Response.WriteAsync("ok");
            return;
        }

        context.Response.StatusCode = 404;
    }

    public Dictionary<string, object> Snapshot()
    {
        var entities = new SortedDictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        foreach (QueueEntity queue in ns.Queues)
        {
            entities[queue.Path] = Store(queue.Store, queue, queue.DeadLetterStore);
            entities[queue.DeadLetterStore.Path] = Store(queue.DeadLetterStore, null, null);
        }

        foreach (TopicEntity topic in ns.Topics)
        {
            entities[topic.Path] = new Dictionary<string, object>
            {
                ["kind"] = "topic",
                ["senderLinksOpened"] = Interlocked.Read(ref topic.SenderLinksOpened),
                ["messagesSent"] = Interlocked.Read(ref topic.MessagesReceivedFromSenders),
                ["scheduledMessages"] = topic.ScheduledCount,
                ["subscriptions"] = topic.Subscriptions.Count,
            };
            foreach (SubscriptionEntity subscription in topic.Subscriptions)
            {
                entities[subscription.Path] = Store(subscription.Store, subscription, subscription.DeadLetterStore);
                entities[subscription.DeadLetterStore.Path] = Store(subscription.DeadLetterStore, null, null);
            }
        }

        return new Dictionary<string, object>
        {
            ["connections"] = connectionCount(),
            ["entities"] = entities,
        };
    }

    private static Dictionary<string, object> Store(MessageStore store, MessagingEntity? entity, MessageStore? deadLetter)
    {
        var counts = store.CountMessages();
        StoreCounters c = store.Counters;
        var result = new Dictionary<string, object>
        {
            ["kind"] = store.IsDeadLetterQueue ? "deadLetterQueue" : entity is SubscriptionEntity ? "subscription" : "queue",
            ["receiverLinks"] = store.ReceiverLinkCount,
            ["receiverLinksOpened"] = c.ReceiverLinksOpened,
            ["receiverLinksClosed"] = c.ReceiverLinksClosed,
            ["creditFlows"] = c.CreditFlows,
            ["creditGranted"] = c.CreditGranted,
            ["activeMessages"] = counts.Active,
            ["lockedMessages"] = counts.Locked,
            ["deferredMessages"] = counts.Deferred,
            ["scheduledMessages"] = counts.Scheduled,
            ["enqueued"] = c.Enqueued,
            ["delivered"] = c.Delivered,
            ["completed"] = c.Completed,
            ["abandoned"] = c.Abandoned,
            ["released"] = c.Released,
            ["deferred"] = c.Deferred,
            ["deadLettered"] = c.DeadLettered,
            ["expired"] = c.Expired,
            ["lockExpired"] = c.LockExpired,
            ["lockLost"] = c.LockLost,
            ["lockRenewals"] = c.LockRenewals,
            ["scheduledCancelled"] = c.ScheduledCancelled,
        };
        if (deadLetter != null)
        {
            result["deadLetterMessages"] = deadLetter.CountMessages().Total;
        }

        if (entity != null)
        {
            result["senderLinksOpened"] = Interlocked.Read(ref entity.SenderLinksOpened);
            result["messagesSent"] = Interlocked.Read(ref entity.MessagesReceivedFromSenders);
        }

        return result;
    }
}
