using Azure.Messaging.ServiceBus.Administration;
using MassTransit;

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
