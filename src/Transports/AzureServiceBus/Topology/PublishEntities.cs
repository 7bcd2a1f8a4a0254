using Azure.Messaging.ServiceBus.Administration;

namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>A message type's topic and the topics it forwards to (see <see cref="ServiceBusPublishTopology.GetPublishEntities{T}"/>).</summary>
internal sealed record PublishEntities(string TopicPath, IReadOnlyList<string> ImplementedTopicPaths)
{
    public IEnumerable<CreateSubscriptionOptions> ForwardingSubscriptions() =>
        ImplementedTopicPaths.Select(destination => new CreateSubscriptionOptions(TopicPath, ServiceBusNames.HierarchySubscriptionName(destination))
        {
            ForwardTo = destination,
        });
}
