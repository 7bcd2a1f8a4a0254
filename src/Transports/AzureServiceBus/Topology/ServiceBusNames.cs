using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>
/// Entity names and addresses. Rules from Service Bus's documentation: queue and topic paths have 1–260 characters
/// (letters, digits, '.', '-', '_' and '/' between segments; the service refuses anything else, '~' included); subscription
/// names 1–50 such characters (no '/').
/// </summary>
internal static partial class ServiceBusNames
{
    public const int MaxEntityPathLength = 260;
    public const int MaxSubscriptionNameLength = 50;

    [GeneratedRegex(@"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")]
    private static partial Regex EntityPath();

    [GeneratedRegex(@"^[A-Za-z0-9._-]+$")]
    private static partial Regex SubscriptionName();

    public static bool IsValidEntityPath(string path) => path.Length is > 0 and <= MaxEntityPathLength && EntityPath().IsMatch(path);

    public static bool IsValidSubscriptionName(string name) => name.Length is > 0 and <= MaxSubscriptionNameLength && SubscriptionName().IsMatch(name);

    /// <summary>Logical names ending like this are terminal: they get no <c>_error</c> / <c>_skipped</c> queues of their own.</summary>
    public static bool IsTerminal(string path) =>
        path.EndsWith("_error", StringComparison.Ordinal) || path.EndsWith("_skipped", StringComparison.Ordinal);

    /// <summary>The queue path of a receive endpoint: <c>SCOPE/NAME</c>, or <c>NAME</c> without a scope.</summary>
    public static string QueuePath(string scope, string queueName) => scope.Length == 0 ? queueName : $"{scope}/{queueName}";

    /// <summary>
    /// The subscription that forwards a topic to an endpoint's queue: the last segment of the queue path, followed by
    /// <c>-</c> and the last segment of the scope when there is one (MassTransit's convention), made to fit 50 characters
    /// by keeping 43 and appending a hash of the whole name.
    /// </summary>
    public static string SubscriptionNameFor(string queuePath, string scope)
    {
        var queue = queuePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Last();
        var scopeTail = scope.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        return FitSubscriptionName(scopeTail is null ? queue : $"{queue}-{scopeTail}");
    }

    /// <summary>A forwarding subscription from a message type's topic to the topic of a type it implements.</summary>
    public static string HierarchySubscriptionName(string destinationTopicPath) =>
        FitSubscriptionName(string.Join("-", destinationTopicPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse()));

    public static string FitSubscriptionName(string name)
    {
        if (name.Length <= MaxSubscriptionNameLength)
            return name;
        var hash = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(name)))[..6];
        return $"{name[..43]}-{hash}";
    }

    /// <summary>The dead-letter queue of a queue or subscription path (Service Bus's <c>$deadletterqueue</c> sub-queue).</summary>
    public static string DeadLetterQueuePath(string entityPath) => entityPath + "/$deadletterqueue";
}

internal enum ServiceBusEntityType
{
    Queue,
    Topic,
}

/// <summary>
/// Addresses: <c>sb://NAMESPACE/SCOPE/QUEUE</c> (a queue, by its full path), <c>sb://NAMESPACE/TOPIC?type=topic</c> (a
/// topic), MassTransit's short forms <c>queue:NAME</c> (a queue under the host's scope) and <c>topic:PATH</c>.
/// </summary>
internal readonly record struct ServiceBusAddress(ServiceBusEntityType Type, string Path)
{
    public static ServiceBusAddress Parse(Uri hostAddress, string scope, Uri address)
    {
        switch (address.Scheme.ToLowerInvariant())
        {
            case "queue":
                return new ServiceBusAddress(ServiceBusEntityType.Queue, ServiceBusNames.QueuePath(scope, Name(address, "queue:")));
            case "topic":
                return new ServiceBusAddress(ServiceBusEntityType.Topic, Name(address, "topic:"));
            case ServiceBusHostSettings.Scheme:
                var path = Uri.UnescapeDataString(address.AbsolutePath).Trim('/');
                if (path.Length == 0)
                    throw new ArgumentException($"The address {address} names no queue or topic.", nameof(address));
                var isTopic = address.Query.Contains("type=topic", StringComparison.OrdinalIgnoreCase);
                return new ServiceBusAddress(isTopic ? ServiceBusEntityType.Topic : ServiceBusEntityType.Queue, path);
            default:
                throw new ArgumentException(
                    $"The Azure Service Bus transport cannot send to {address}: use sb://NAMESPACE/QUEUE, sb://NAMESPACE/TOPIC?type=topic, queue:NAME or topic:PATH.",
                    nameof(address));
        }
    }

    public Uri ToUri(Uri hostAddress) =>
        new($"{hostAddress.Scheme}://{hostAddress.Authority}/{Path}{(Type == ServiceBusEntityType.Topic ? "?type=topic" : "")}");

    private static string Name(Uri address, string prefix)
    {
        var text = address.OriginalString[prefix.Length..];
        var q = text.IndexOf('?');
        return Uri.UnescapeDataString(q >= 0 ? text[..q] : text).Trim('/');
    }
}

/// <summary>
/// Topic names of message types, as MassTransit's Service Bus package forms them: namespace and type name separated by
/// '/', generic arguments as <c>--Ns/Type--</c>, nested types with '-', arrays as <c>__</c>.
/// </summary>
internal sealed class ServiceBusMessageNameFormatter(string namespaceSeparator = "/") : IMessageNameFormatter
{
    private readonly IMessageNameFormatter _formatter = new DefaultMessageNameFormatter("---", "--", namespaceSeparator, "-");

    public string GetMessageName(Type type) => _formatter.GetMessageName(type).Replace("[]", "__", StringComparison.Ordinal);
}
