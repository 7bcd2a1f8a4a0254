using System.Text.Json;
using System.Xml;
using Persisters.ServiceBus.Emulator.Broker;

namespace Persisters.ServiceBus.Emulator;

/// <summary>
/// Pre-provisioned entities, read from a JSON file in the layout of Microsoft's Service Bus emulator Config.json
/// (UserConfig.Namespaces[0].Queues / .Topics[].Subscriptions[].Rules[], each with a "Properties" object whose
/// names are Service Bus's: LockDuration "PT1M", MaxDeliveryCount, DefaultMessageTimeToLive, ForwardTo, ...;
/// rule FilterType "Correlation" with CorrelationFilter, or "Sql" with SqlFilter.SqlExpression), so the same file
/// provisions either emulator.
/// </summary>
public static class EmulatorConfig
{
    /// <summary>Creates the file's entities in <paramref name="ns"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not valid; the message names the entity and setting.</exception>
    public static int Provision(string path, ServiceBusNamespace ns)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        JsonElement root = document.RootElement;
        JsonElement space = root;
        if (TryGet(root, "UserConfig", out JsonElement user) && TryGet(user, "Namespaces", out JsonElement namespaces)
            && namespaces.ValueKind == JsonValueKind.Array && namespaces.GetArrayLength() > 0)
        {
            space = namespaces[0];
        }

        var provisioner = new EntityProvisioner(ns);
        var forwardChecks = new List<(string Entity, EntityProperties Properties)>();
        int count = 0;
        foreach (JsonElement queue in Array(space, "Queues"))
        {
            string name = Name(queue, "queue");
            EntityProperties properties = ReadProperties(queue, $"queue '{name}'");
            Check(provisioner.Create(EntityKind.Queue, name, null, properties, null, validateForwarding: false), $"queue '{name}'");
            forwardChecks.Add(($"queue '{name}'", properties));
            count++;
        }

        foreach (JsonElement topic in Array(space, "Topics"))
        {
            string name = Name(topic, "topic");
            Check(provisioner.Create(EntityKind.Topic, name, null, ReadProperties(topic, $"topic '{name}'"), null, validateForwarding: false), $"topic '{name}'");
            count++;
            foreach (JsonElement subscription in Array(topic, "Subscriptions"))
            {
                string subscriptionName = Name(subscription, $"subscription of topic '{name}'");
                string where = $"subscription '{name}/Subscriptions/{subscriptionName}'";
                EntityProperties properties = ReadProperties(subscription, where);
                var rules = new List<Rule>();
                foreach (JsonElement rule in Array(subscription, "Rules"))
                {
                    rules.Add(ReadRule(rule, where, ns.Clock()));
                }

                Check(provisioner.Create(EntityKind.Subscription, subscriptionName, name, properties, rules.Count == 0 ? null : rules, validateForwarding: false), where);
                forwardChecks.Add((where, properties));
                count++;
            }
        }

        foreach (var (entity, properties) in forwardChecks)
        {
            foreach (string? target in new[] { properties.ForwardTo, properties.ForwardDeadLetteredMessagesTo })
            {
                if (!string.IsNullOrEmpty(target) && ns.FindForwardTarget(target) == null)
                {
                    throw new InvalidDataException($"{path}: {entity} forwards to '{target}', which is not provisioned.");
                }
            }
        }

        return count;

        void Check(ProvisionResult result, string what)
        {
            if (result.Entity == null)
            {
                throw new InvalidDataException($"{path}: {what}: {result.Error}");
            }
        }
    }

    private static IEnumerable<JsonElement> Array(JsonElement parent, string name) =>
        TryGet(parent, name, out JsonElement array) && array.ValueKind == JsonValueKind.Array ? array.EnumerateArray() : Enumerable.Empty<JsonElement>();

    private static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        value = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }

    private static string Name(JsonElement element, string what) =>
        TryGet(element, "Name", out JsonElement name) && name.ValueKind == JsonValueKind.String && name.GetString() is { Length: > 0 } s
            ? s
            : throw new InvalidDataException($"A {what} has no Name.");

    private static EntityProperties ReadProperties(JsonElement element, string where)
    {
        var properties = new EntityProperties();
        if (!TryGet(element, "Properties", out JsonElement values) || values.ValueKind != JsonValueKind.Object)
        {
            return properties;
        }

        foreach (JsonProperty p in values.EnumerateObject())
        {
            try
            {
                switch (p.Name.ToLowerInvariant())
                {
                    case "lockduration": properties.LockDuration = Duration(p.Value); break;
                    case "maxdeliverycount": properties.MaxDeliveryCount = p.Value.GetInt32(); break;
                    case "defaultmessagetimetolive": properties.DefaultMessageTimeToLive = Duration(p.Value); break;
                    case "deadletteringonmessageexpiration": properties.DeadLetteringOnMessageExpiration = p.Value.GetBoolean(); break;
                    case "duplicatedetectionhistorytimewindow": properties.DuplicateDetectionHistoryTimeWindow = Duration(p.Value); break;
                    case "requiresduplicatedetection": properties.RequiresDuplicateDetection = p.Value.GetBoolean(); break;
                    case "requiressession": properties.RequiresSession = p.Value.GetBoolean(); break;
                    case "forwardto": properties.ForwardTo = NullIfEmpty(p.Value.GetString()); break;
                    case "forwarddeadletteredmessagesto": properties.ForwardDeadLetteredMessagesTo = NullIfEmpty(p.Value.GetString()); break;
                    case "maxsizeinmegabytes": properties.MaxSizeInMegabytes = p.Value.GetInt64(); break;
                    case "status": properties.Status = p.Value.GetString() ?? "Active"; break;
                    case "enablebatchedoperations": properties.EnableBatchedOperations = p.Value.GetBoolean(); break;
                    case "deadletteringonfilterevaluationexceptions": properties.DeadLetteringOnFilterEvaluationExceptions = p.Value.GetBoolean(); break;
                    case "usermetadata": properties.UserMetadata = p.Value.GetString(); break;
                    case "autodeleteonidle": properties.AutoDeleteOnIdle = Duration(p.Value); break;
                    case "maxmessagesizeinkilobytes": properties.MaxMessageSizeInKilobytes = p.Value.GetInt64(); break;
                    default: throw new InvalidDataException($"{where}: unknown setting '{p.Name}'.");
                }
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"{where}: setting '{p.Name}' has an invalid value {p.Value.GetRawText()}: {ex.Message}");
            }
        }

        return properties;
    }

    private static Rule ReadRule(JsonElement rule, string where, DateTime now)
    {
        string name = Name(rule, $"rule of {where}");
        TryGet(rule, "Properties", out JsonElement properties);
        string type = TryGet(properties, "FilterType", out JsonElement t) ? t.GetString() ?? "" : "";
        if (TryGet(properties, "Action", out JsonElement action) && action.ValueKind == JsonValueKind.Object)
        {
            throw new InvalidDataException($"{where}: rule '{name}' has an Action; rule actions are not supported by the Service Bus test emulator.");
        }

        try
        {
            RuleFilter filter = type.ToLowerInvariant() switch
            {
                "sql" => new SqlFilter(TryGet(properties, "SqlFilter", out JsonElement sql) && TryGet(sql, "SqlExpression", out JsonElement e)
                    ? e.GetString() ?? "" : throw new InvalidDataException($"{where}: rule '{name}' has no SqlFilter.SqlExpression.")),
                "correlation" => ReadCorrelation(properties),
                "true" or "" => TrueFilter.Instance,
                "false" => FalseFilter.Instance,
                _ => throw new InvalidDataException($"{where}: rule '{name}' has unknown FilterType '{type}'."),
            };
            return new Rule(name, filter, null, null, now);
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"{where}: rule '{name}': {ex.Message}");
        }
    }

    private static CorrelationFilter ReadCorrelation(JsonElement properties)
    {
        TryGet(properties, "CorrelationFilter", out JsonElement c);
        string? S(string n) => TryGet(c, n, out JsonElement v) ? NullIfEmpty(v.GetString()) : null;
        var applicationProperties = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (TryGet(c, "Properties", out JsonElement props) && props.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty p in props.EnumerateObject())
            {
                applicationProperties[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.Number when p.Value.TryGetInt64(out long l) => l,
                    JsonValueKind.Number => p.Value.GetDouble(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => p.Value.GetString(),
                };
            }
        }

        return new CorrelationFilter
        {
            CorrelationId = S("CorrelationId"), MessageId = S("MessageId"), To = S("To"), ReplyTo = S("ReplyTo"),
            Subject = S("Label") ?? S("Subject"), SessionId = S("SessionId"), ReplyToSessionId = S("ReplyToSessionId"),
            ContentType = S("ContentType"), ApplicationProperties = applicationProperties,
        };
    }

    private static TimeSpan Duration(JsonElement value)
    {
        string text = value.GetString() ?? throw new FormatException("expected an ISO 8601 duration such as \"PT1M\"");
        return text.StartsWith('P') ? XmlConvert.ToTimeSpan(text) : TimeSpan.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
