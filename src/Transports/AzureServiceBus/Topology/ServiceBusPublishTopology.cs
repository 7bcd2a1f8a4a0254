using MassTransit;
using MassTransit.Topology;

namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>Publish topology: a topic per message type, and forwarding subscriptions to the topics of the types it implements.</summary>
internal sealed class ServiceBusPublishTopology : PublishTopology
{
    private readonly IMessageTopology _messageTopology;

    public ServiceBusPublishTopology(IMessageTopology messageTopology)
    {
        _messageTopology = messageTopology;
    }

    /// <summary>The topic a message type is published to.</summary>
    public string TopicPath<T>() where T : class => _messageTopology.GetMessageTopology<T>().EntityName;

    /// <summary>
    /// The entities a publish of <typeparamref name="T"/> needs: its topic, the topics of the other message types it can be
    /// consumed as (its interfaces and base types), and a subscription on its topic forwarding to each of them, so that
    /// consumers of an implemented type get the message too (one hop, fewer than Service Bus's limit of four).
    /// </summary>
    public PublishEntities GetPublishEntities<T>() where T : class
    {
        var topic = TopicPath<T>();
        var implemented = new List<string>();
        foreach (var type in MessageTypeCache<T>.MessageTypes)
        {
            if (type == typeof(T) || !MessageTypeCache.IsValidMessageType(type))
                continue;
            var path = TopicPath(type);
            if (!string.Equals(path, topic, StringComparison.Ordinal) && ServiceBusNames.IsValidEntityPath(path))
                implemented.Add(path);
        }
        return new PublishEntities(topic, implemented.Distinct(StringComparer.Ordinal).ToList());
    }

    private string TopicPath(Type messageType) =>
        (string)typeof(ServiceBusPublishTopology).GetMethod(nameof(TopicPath), 1, Type.EmptyTypes)!.MakeGenericMethod(messageType).Invoke(this, null)!;

    protected override IMessagePublishTopologyConfigurator CreateMessageTopology<T>()
    {
        var topology = new ServiceBusMessagePublishTopology<T>(this);
        OnMessageTopologyCreated(topology);
        return topology;
    }
}
