using Azure.Messaging.ServiceBus.Administration;

namespace Persisters.Transports.AzureServiceBus.Topology;

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
