using System.Xml.Linq;
using Persisters.ServiceBus.Emulator.Http;

namespace Persisters.ServiceBus.Emulator.Broker;

/// <summary>The outcome of a create or update: the entity, or an HTTP status and Service Bus-style error.</summary>
public sealed record ProvisionResult(MessagingEntity? Entity, int Status, string? Error)
{
    public static ProvisionResult Fail(int status, string error) => new(null, status, error);
}

/// <summary>
/// Creates and updates entities with Service Bus's validation: names (<see cref="EntityNames"/>), property ranges, one
/// name space for queues and topics, existing auto-forwarding targets. Used by the HTTP management API and by the
/// configuration file given at start.
/// </summary>
public sealed class EntityProvisioner(ServiceBusNamespace ns)
{
    public ProvisionResult Create(EntityKind kind, string name, string? topicName, XElement description)
    {
        var properties = new EntityProperties();
        AtomXml.Read(description, properties);
        Rule? rule = null;
        if (kind == EntityKind.Subscription && description.Element(AtomXml.Sb + "DefaultRuleDescription") is { } ruleXml)
        {
            rule = AtomXml.ReadRule(ruleXml, null, ns.Clock());
        }

        return Create(kind, name, topicName, properties, rule == null ? null : new[] { rule }, validateForwarding: true);
    }

    /// <param name="rules">Subscription rules; null gives the $Default rule with a TrueFilter.</param>
    public ProvisionResult Create(EntityKind kind, string name, string? topicName, EntityProperties properties,
        IReadOnlyList<Rule>? rules, bool validateForwarding)
    {
        string? problem = ValidateName(kind, name) ?? rules?.Select(r => EntityNames.RuleNameProblem(r.Name)).FirstOrDefault(p => p != null)
            ?? properties.Validate(kind)
            ?? (validateForwarding ? ValidateForwarding(kind, name, topicName, properties) : null);
        if (problem != null)
        {
            return ProvisionResult.Fail(400, problem);
        }

        switch (kind)
        {
            case EntityKind.Queue:
                return ns.TryAddQueue(name, properties, out QueueEntity queue)
                    ? new ProvisionResult(queue, 201, null)
                    : ProvisionResult.Fail(409, $"The messaging entity '{name}' already exists.");
            case EntityKind.Topic:
                return ns.TryAddTopic(name, properties, out TopicEntity topic)
                    ? new ProvisionResult(topic, 201, null)
                    : ProvisionResult.Fail(409, $"The messaging entity '{name}' already exists.");
            default:
                TopicEntity? parent = ns.FindTopic(topicName!);
                if (parent == null)
                {
                    return ProvisionResult.Fail(404, $"The messaging entity '{topicName}' could not be found.");
                }

                var subscription = new SubscriptionEntity(ns, parent, name, properties, ns.Clock());
                foreach (Rule rule in rules ?? new[] { Rule.Default(ns.Clock()) })
                {
                    subscription.TryAddRule(rule);
                }

                return parent.TryAddSubscription(subscription)
                    ? new ProvisionResult(subscription, 201, null)
                    : ProvisionResult.Fail(409, $"The messaging entity '{subscription.Path}' already exists.");
        }
    }

    public ProvisionResult Update(EntityKind kind, string name, string? topicName, XElement description)
    {
        MessagingEntity? entity = kind switch
        {
            EntityKind.Subscription => ns.FindSubscription(topicName!, name),
            _ => ns.FindQueueOrTopic(name),
        };
        if (entity == null || entity.Kind != kind)
        {
            return ProvisionResult.Fail(404, $"The messaging entity '{(topicName == null ? name : $"{topicName}/Subscriptions/{name}")}' could not be found.");
        }

        EntityProperties properties = entity.Properties.Clone();
        AtomXml.Read(description, properties);
        string? problem = properties.Validate(kind) ?? ValidateForwarding(kind, name, topicName, properties);
        if (problem != null)
        {
            return ProvisionResult.Fail(400, problem);
        }

        entity.Properties = properties;
        entity.UpdatedAt = ns.Clock();
        return new ProvisionResult(entity, 200, null);
    }

    private static string? ValidateName(EntityKind kind, string name) => kind == EntityKind.Subscription
        ? EntityNames.SubscriptionNameProblem(name)
        : EntityNames.QueueOrTopicPathProblem(name);

    private string? ValidateForwarding(EntityKind kind, string name, string? topicName, EntityProperties properties)
    {
        foreach (string? target in new[] { properties.ForwardTo, properties.ForwardDeadLetteredMessagesTo })
        {
            if (string.IsNullOrEmpty(target))
            {
                continue;
            }

            if (kind == EntityKind.Topic)
            {
                return "Auto-forwarding is set on queues and subscriptions, not topics.";
            }

            MessagingEntity? destination = ns.FindForwardTarget(target);
            if (destination == null)
            {
                return $"The auto-forwarding destination '{target}' of '{(topicName == null ? name : $"{topicName}/Subscriptions/{name}")}' does not exist.";
            }

            if (kind == EntityKind.Queue && string.Equals(destination.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return $"The queue '{name}' cannot forward to itself.";
            }
        }

        return null;
    }
}
