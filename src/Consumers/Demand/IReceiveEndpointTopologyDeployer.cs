using MassTransit;

namespace Persisters.Consumers.Demand;

/// <summary>
/// The transport seam of the on-demand persisters: broker topology without a consumer. Every transport the host can run on
/// registers one (the host's transport switch does; <see cref="InMemoryReceiveEndpointTopologyDeployer"/> is the default).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="DeployAsync"/> must only declare: the queue, and whatever routes the endpoint's consumed message types to it
/// (RabbitMQ: the endpoint and message-type exchanges and their bindings; Amazon SQS: the queue, its <c>_error</c> queue and
/// subscription tags; in-memory: the fabric's exchanges, queue and bindings; Azure Service Bus: the queue, the topics and
/// forwarding subscriptions). It must never open a consumer, a receiver link or a receive request on the queue, not even
/// briefly: a message delivered to a consumer that is being stopped is taken out of the queue (issue 11, item 1).
/// Declaring something that exists already must succeed and leave its messages in place.
/// </para>
/// <para>
/// <see cref="ApplyRetentionAsync"/> bounds how long the broker keeps a message in each of the given queues, applied by the
/// broker to messages from every producer (not a per-message expiration that only our publishers would set), and safe on a
/// queue that already exists with other settings (no redeclare with different arguments).
/// </para>
/// </remarks>
public interface IReceiveEndpointTopologyDeployer
{
    /// <summary>
    /// Declares the topology of the receive endpoint <paramref name="queueName"/> as <paramref name="configure"/> would configure
    /// it (consumers and their message types, queue settings) without consuming. Idempotent.
    /// </summary>
    /// <exception cref="Exception">The broker cannot be reached or refuses the declaration (the caller retries later).</exception>
    Task DeployAsync(string queueName, Action<IReceiveEndpointConfigurator> configure, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the broker drop messages older than <paramref name="retention"/> from the given queues (their logical names,
    /// without any transport prefix). Idempotent. Returns what was applied, in words, for the log (e.g. the policy name).
    /// </summary>
    /// <exception cref="Exception">The broker refused or cannot be reached (the caller logs it and tries again later).</exception>
    Task<string> ApplyRetentionAsync(IReadOnlyCollection<string> queueNames, TimeSpan retention, CancellationToken cancellationToken);

    /// <summary>
    /// The broker's count of messages ready in a queue and of consumers on it, or null where the transport has no such count
    /// (in-memory; SQS has no consumers to count). Used to notice an endpoint that believes it consumes while the broker lists
    /// no consumer.
    /// </summary>
    /// <exception cref="Exception">The broker cannot be reached (the caller skips the check).</exception>
    Task<QueueState?> GetQueueStateAsync(string queueName, CancellationToken cancellationToken);
}

/// <summary>What the broker reports for a queue: messages ready for delivery and consumers subscribed.</summary>
public sealed record QueueState(long Messages, long Consumers);
