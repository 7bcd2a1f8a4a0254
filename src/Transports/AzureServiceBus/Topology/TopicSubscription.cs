namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>A subscription of an endpoint's queue to a topic: the topic path and the subscription's name.</summary>
internal sealed record TopicSubscription(string TopicPath, string? SubscriptionName);
