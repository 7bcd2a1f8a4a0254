using System.Text.RegularExpressions;

namespace Persisters.ServiceBus.Emulator.Broker;

/// <summary>
/// Service Bus's data-plane naming rules, checked by the HTTP management API, the configuration file and AMQP attach.
/// Queue and topic paths: 1–260 characters, segments separated by '/', each segment one or more letters, digits,
/// periods, hyphens or underscores. Subscription and rule names: 1–50 such characters, no '/'; the rule name
/// <c>$Default</c> is the one exception (the SDK's <c>RuleProperties.DefaultRuleName</c>).
/// There is no rule about the first or last character: "must start and end with a letter or number" is Azure Resource
/// Manager's (portal, ARM templates, Terraform), not the service's, and MassTransit names the topic of <c>Fault&lt;T&gt;</c>
/// <c>MassTransit/Fault--Ns/T--</c>.
/// Sources: the service's error text ("Entity segments can contain only letters, numbers, periods (.), hyphens (-), and
/// underscores (_)"), the REST reference for subscriptions (at most 50 characters, no multiple segments), and
/// Azure.Messaging.ServiceBus's client-side checks (EntityNameFormatter: 260 for queues and topics, 50 for
/// subscriptions and rules, '/' only in queue and topic paths).
/// </summary>
public static partial class EntityNames
{
    public const int MaxPathLength = 260;
    public const int MaxSubscriptionNameLength = 50;
    public const int MaxRuleNameLength = 50;

    private const string Characters = "letters, digits, periods (.), hyphens (-) and underscores (_)";

    [GeneratedRegex(@"^[A-Za-z0-9._-]+$")]
    private static partial Regex Segment();

    /// <returns>Null when <paramref name="path"/> is a valid queue or topic path, otherwise why it is not.</returns>
    public static string? QueueOrTopicPathProblem(string path)
    {
        if (path.Length is 0 or > MaxPathLength)
        {
            return $"The entity path '{path}' is not valid: it must have 1 to {MaxPathLength} characters (it has {path.Length}).";
        }

        return path.Split('/').All(s => Segment().IsMatch(s))
            ? null
            : $"The entity path '{path}' is not valid: each of its '/'-separated segments must be one or more {Characters}.";
    }

    /// <returns>Null when <paramref name="name"/> is a valid subscription name, otherwise why it is not.</returns>
    public static string? SubscriptionNameProblem(string name) => NameProblem("subscription", name, MaxSubscriptionNameLength);

    /// <returns>Null when <paramref name="name"/> is a valid rule name (or <c>$Default</c>), otherwise why it is not.</returns>
    public static string? RuleNameProblem(string name) =>
        string.Equals(name, Rule.DefaultRuleName, StringComparison.OrdinalIgnoreCase) ? null : NameProblem("rule", name, MaxRuleNameLength);

    /// <summary>
    /// Checks the entity names in an AMQP address path ("queue", "topic", "topic/Subscriptions/sub", each optionally
    /// followed by "/$DeadLetterQueue", "/$Transfer/$DeadLetterQueue" or "/$management").
    /// </summary>
    /// <returns>Null when every name in it follows the rules, otherwise why one does not.</returns>
    public static string? AddressProblem(string addressPath)
    {
        string path = addressPath;
        foreach (string suffix in new[] { "/$management", "/$DeadLetterQueue", "/$Transfer" })
        {
            if (path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                path = path[..^suffix.Length];
            }
        }

        string[] parts = path.Split('/');
        if (parts.Length >= 3 && string.Equals(parts[^2], "Subscriptions", StringComparison.OrdinalIgnoreCase))
        {
            return QueueOrTopicPathProblem(string.Join('/', parts[..^2])) ?? SubscriptionNameProblem(parts[^1]);
        }

        return QueueOrTopicPathProblem(path);
    }

    private static string? NameProblem(string kind, string name, int maxLength)
    {
        if (name.Length == 0 || name.Length > maxLength)
        {
            return $"The {kind} name '{name}' is not valid: it must have 1 to {maxLength} characters (it has {name.Length}).";
        }

        return Segment().IsMatch(name) ? null : $"The {kind} name '{name}' is not valid: it may contain only {Characters}.";
    }
}
