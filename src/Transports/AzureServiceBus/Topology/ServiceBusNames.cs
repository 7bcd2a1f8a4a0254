using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

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
