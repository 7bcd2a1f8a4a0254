using System.Globalization;
using System.Xml;
using Azure.Messaging.ServiceBus.Administration;

namespace MassTransit;

/// <summary>
/// One entity the transport needs, as an operator provisions it: <see cref="Kind"/> is <c>queue</c>, <c>topic</c> or
/// <c>subscription</c>; <see cref="Path"/> the queue or topic path, or <c>TOPIC/Subscriptions/NAME</c>; <see cref="Settings"/>
/// the non-default settings by Service Bus's property names (durations in ISO 8601, e.g. <c>PT5M</c>).
/// </summary>
public sealed record ServiceBusEntityDescription(string Kind, string Path, IReadOnlyDictionary<string, string> Settings)
{
    public const string QueueKind = "queue";
    public const string TopicKind = "topic";
    public const string SubscriptionKind = "subscription";

    /// <summary>For a subscription: its topic; otherwise null.</summary>
    public string? TopicPath { get; init; }

    /// <summary>For a subscription: its name; otherwise null.</summary>
    public string? SubscriptionName { get; init; }

    public override string ToString() =>
        $"{Kind} {Path}" + (Settings.Count == 0 ? "" : " (" + string.Join(", ", Settings.Select(s => $"{s.Key}={s.Value}")) + ")");

    internal static ServiceBusEntityDescription For(CreateQueueOptions queue)
    {
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["LockDuration"] = Duration(queue.LockDuration),
            ["MaxDeliveryCount"] = queue.MaxDeliveryCount.ToString(CultureInfo.InvariantCulture),
            ["DeadLetteringOnMessageExpiration"] = queue.DeadLetteringOnMessageExpiration ? "true" : "false",
        };
        if (queue.AutoDeleteOnIdle != TimeSpan.MaxValue)
            settings["AutoDeleteOnIdle"] = Duration(queue.AutoDeleteOnIdle);
        if (queue.DefaultMessageTimeToLive != TimeSpan.MaxValue)
            settings["DefaultMessageTimeToLive"] = Duration(queue.DefaultMessageTimeToLive);
        if (!string.IsNullOrEmpty(queue.ForwardDeadLetteredMessagesTo))
            settings["ForwardDeadLetteredMessagesTo"] = queue.ForwardDeadLetteredMessagesTo;
        return new ServiceBusEntityDescription(QueueKind, queue.Name, settings);
    }

    internal static ServiceBusEntityDescription For(CreateTopicOptions topic) =>
        new(TopicKind, topic.Name, new SortedDictionary<string, string>(StringComparer.Ordinal));

    internal static ServiceBusEntityDescription For(CreateSubscriptionOptions subscription)
    {
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["ForwardTo"] = subscription.ForwardTo ?? "",
        };
        if (subscription.AutoDeleteOnIdle != TimeSpan.MaxValue)
            settings["AutoDeleteOnIdle"] = Duration(subscription.AutoDeleteOnIdle);
        return new ServiceBusEntityDescription(SubscriptionKind, $"{subscription.TopicName}/Subscriptions/{subscription.SubscriptionName}", settings)
        {
            TopicPath = subscription.TopicName,
            SubscriptionName = subscription.SubscriptionName,
        };
    }

    private static string Duration(TimeSpan value) => XmlConvert.ToString(value);
}
