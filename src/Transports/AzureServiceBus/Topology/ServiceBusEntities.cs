using MassTransit;
using Azure.Messaging.ServiceBus.Administration;

namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>
/// The entities one receive endpoint needs: its queue, its <c>_error</c> and <c>_skipped</c> queues (not for temporary
/// or terminal queues), and for every subscribed topic the topic and a subscription forwarding to the queue.
/// </summary>
internal sealed record EndpointEntities(
    CreateQueueOptions Queue,
    CreateQueueOptions? ErrorQueue,
    CreateQueueOptions? SkippedQueue,
    IReadOnlyList<CreateTopicOptions> Topics,
    IReadOnlyList<CreateSubscriptionOptions> Subscriptions,
    bool IsTemporary)
{
    /// <summary>Every entity as a line an operator can act on (kind, path, settings), in creation order.</summary>
    public IEnumerable<ServiceBusEntityDescription> Describe()
    {
        yield return ServiceBusEntityDescription.For(Queue);
        if (ErrorQueue is not null)
            yield return ServiceBusEntityDescription.For(ErrorQueue);
        if (SkippedQueue is not null)
            yield return ServiceBusEntityDescription.For(SkippedQueue);
        foreach (var topic in Topics)
            yield return ServiceBusEntityDescription.For(topic);
        foreach (var subscription in Subscriptions)
            yield return ServiceBusEntityDescription.For(subscription);
    }
}

/// <summary>Settings the transport gives the queues it creates (MassTransit's Service Bus defaults).</summary>
internal static class ServiceBusDefaults
{
    public static readonly TimeSpan LockDuration = TimeSpan.FromMinutes(5);
    public const int MaxDeliveryCount = 5;
    public static readonly TimeSpan TemporaryAutoDeleteOnIdle = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan ReceiveWaitTime = TimeSpan.FromSeconds(60);

    /// <summary>
    /// An <c>_error</c> or <c>_skipped</c> queue: the endpoint queue's lock and delivery settings under another name, never
    /// auto-deleted, and without the endpoint queue's <c>DefaultMessageTimeToLive</c>: a bound on how long messages wait for the
    /// endpoint is not a bound on how long a failed message waits for an operator.
    /// </summary>
    public static CreateQueueOptions MoveQueue(CreateQueueOptions queue, string path) => new(path)
    {
        LockDuration = queue.LockDuration,
        MaxDeliveryCount = queue.MaxDeliveryCount,
        DeadLetteringOnMessageExpiration = queue.DeadLetteringOnMessageExpiration,
        EnableBatchedOperations = true,
    };

    /// <summary>A queue someone sends to that no endpoint of this bus describes (created on first send).</summary>
    public static CreateQueueOptions SendQueue(string path) => new(path)
    {
        LockDuration = LockDuration,
        MaxDeliveryCount = MaxDeliveryCount,
        DeadLetteringOnMessageExpiration = true,
        EnableBatchedOperations = true,
    };

    public static CreateTopicOptions Topic(string path) => new(path) { EnableBatchedOperations = true };
}
