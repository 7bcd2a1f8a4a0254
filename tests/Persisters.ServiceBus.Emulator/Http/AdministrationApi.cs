using System.Globalization;
using System.Xml.Linq;
using Persisters.ServiceBus.Emulator.Broker;
using Persisters.ServiceBus.Emulator.Security;

namespace Persisters.ServiceBus.Emulator.Http;

/// <summary>
/// The HTTP management API ServiceBusAdministrationClient calls (ATOM XML over plain HTTP when the connection string
/// says UseDevelopmentEmulator=true): GET/PUT/DELETE of "{queue|topic}", "{topic}/Subscriptions/{name}",
/// "{topic}/Subscriptions/{name}/Rules/{rule}", lists at "$Resources/queues", "$Resources/topics",
/// "{topic}/Subscriptions", "{topic}/Subscriptions/{name}/rules" ($skip/$top), and "$namespaceinfo".
/// Requests need an Authorization header with a SAS token of a key with Manage rights (401 otherwise).
/// A GET of a queue or topic that does not exist answers an empty feed, as Service Bus does; the client reads that
/// as "not found".
/// </summary>
public sealed class AdministrationApi(ServiceBusNamespace ns, SasAuthority authority, EntityProvisioner provisioner)
{
    public async Task HandleAsync(HttpContext context)
    {
        string path = Uri.UnescapeDataString(context.Request.Path.Value ?? "").Trim('/');
        string baseUri = $"{context.Request.Scheme}://{context.Request.Host}";
        SasGrant? grant = authority.Validate(context.Request.Headers.Authorization.ToString(), ns.Clock(), out string error);
        if (grant == null)
        {
            await WriteError(context, 401, error);
            return;
        }

        if ((grant.Rights & AccessRights.Manage) == 0)
        {
            await WriteError(context, 401, $"Unauthorized access. 'Manage' claim(s) are required to perform this operation. Key: '{grant.KeyName}'.");
            return;
        }

        try
        {
            string method = context.Request.Method;
            string[] parts = SubscriptionPathParts(path);
            bool isSubscriptionPath = parts.Length >= 2;
            if (path.Equals("$namespaceinfo", StringComparison.OrdinalIgnoreCase))
            {
                await WriteXml(context, 200, NamespaceInfo(baseUri));
            }
            else if (path.Equals("$Resources/queues", StringComparison.OrdinalIgnoreCase))
            {
                var entries = Page(context, ns.Queues).Select(q => AtomXml.Entry(baseUri, q.Name, q.Name, AtomXml.QueueDescription(q), q.CreatedAt, q.UpdatedAt));
                await WriteXml(context, 200, AtomXml.Feed(baseUri, path, "Queues", entries));
            }
            else if (path.Equals("$Resources/topics", StringComparison.OrdinalIgnoreCase))
            {
                var entries = Page(context, ns.Topics).Select(t => AtomXml.Entry(baseUri, t.Name, t.Name, AtomXml.TopicDescription(t), t.CreatedAt, t.UpdatedAt));
                await WriteXml(context, 200, AtomXml.Feed(baseUri, path, "Topics", entries));
            }
            else if (NameProblem(isSubscriptionPath ? parts : null, path) is { } problem)
            {
                await WriteError(context, 400, problem);
            }
            else if (isSubscriptionPath)
            {
                await HandleSubscriptionPath(context, method, parts, baseUri, path);
            }
            else
            {
                await HandleQueueOrTopic(context, method, path, baseUri);
            }
        }
        catch (FormatException ex)
        {
            await WriteError(context, 400, ex.Message);
        }
        catch (System.Xml.XmlException ex)
        {
            await WriteError(context, 400, "The request body is not valid XML: " + ex.Message);
        }
    }

    private async Task HandleQueueOrTopic(HttpContext context, string method, string name, string baseUri)
    {
        MessagingEntity? existing = ns.FindQueueOrTopic(name);
        switch (method)
        {
            case "GET":
                if (existing == null)
                {
                    await WriteXml(context, 200, AtomXml.Feed(baseUri, name, "Publicly Listed Services", Array.Empty<XElement>()));
                    return;
                }

                await WriteXml(context, 200, EntryOf(baseUri, existing));
                return;
            case "PUT":
                XElement description = await ReadDescription(context);
                bool update = context.Request.Headers.IfMatch.Count > 0;
                var kind = description.Name.LocalName switch
                {
                    "QueueDescription" => EntityKind.Queue,
                    "TopicDescription" => EntityKind.Topic,
                    _ => throw new FormatException($"Expected a QueueDescription or TopicDescription, not '{description.Name.LocalName}'."),
                };
                ProvisionResult result = update
                    ? provisioner.Update(kind, name, null, description)
                    : provisioner.Create(kind, name, null, description);
                await WriteResult(context, result, baseUri);
                return;
            case "DELETE":
                if (ns.Remove(name) == null)
                {
                    await WriteError(context, 404, $"The messaging entity '{name}' could not be found.");
                    return;
                }

                context.Response.StatusCode = 200;
                return;
            default:
                await WriteError(context, 405, $"Method {method} is not supported.");
                return;
        }
    }

    private async Task HandleSubscriptionPath(HttpContext context, string method, string[] parts, string baseUri, string path)
    {
        string topicName = parts[0];
        TopicEntity? topic = ns.FindTopic(topicName);
        if (parts.Length == 2)
        {
            if (topic == null)
            {
                await WriteError(context, 404, $"The messaging entity '{topicName}' could not be found.");
                return;
            }

            var entries = Page(context, topic.Subscriptions).Select(s => AtomXml.Entry(baseUri, s.Path, s.Name, AtomXml.SubscriptionDescription(s), s.CreatedAt, s.UpdatedAt));
            await WriteXml(context, 200, AtomXml.Feed(baseUri, path, "Subscriptions", entries));
            return;
        }

        string subscriptionName = parts[2];
        if (parts.Length == 3)
        {
            switch (method)
            {
                case "GET":
                    SubscriptionEntity? found = topic?.FindSubscription(subscriptionName);
                    if (found == null)
                    {
                        await WriteError(context, 404, $"The messaging entity '{path}' could not be found.");
                        return;
                    }

                    await WriteXml(context, 200, EntryOf(baseUri, found));
                    return;
                case "PUT":
                    XElement description = await ReadDescription(context);
                    if (description.Name.LocalName != "SubscriptionDescription")
                    {
                        throw new FormatException($"Expected a SubscriptionDescription, not '{description.Name.LocalName}'.");
                    }

                    bool update = context.Request.Headers.IfMatch.Count > 0;
                    ProvisionResult result = update
                        ? provisioner.Update(EntityKind.Subscription, subscriptionName, topicName, description)
                        : provisioner.Create(EntityKind.Subscription, subscriptionName, topicName, description);
                    await WriteResult(context, result, baseUri);
                    return;
                case "DELETE":
                    SubscriptionEntity? removed = topic?.RemoveSubscription(subscriptionName);
                    if (removed == null)
                    {
                        await WriteError(context, 404, $"The messaging entity '{path}' could not be found.");
                        return;
                    }

                    ServiceBusNamespace.CloseStores(removed);
                    context.Response.StatusCode = 200;
                    return;
            }
        }

        SubscriptionEntity? subscription = topic?.FindSubscription(subscriptionName);
        if (subscription == null || !parts[3].Equals("Rules", StringComparison.OrdinalIgnoreCase) || parts.Length > 5)
        {
            await WriteError(context, 404, $"The messaging entity '{path}' could not be found.");
            return;
        }

        if (parts.Length == 4)
        {
            var entries = Page(context, subscription.Rules).Select(r => AtomXml.Entry(baseUri, $"{subscription.Path}/Rules/{r.Name}", r.Name, AtomXml.RuleDescription(r), r.CreatedAt, r.CreatedAt));
            await WriteXml(context, 200, AtomXml.Feed(baseUri, path, "Rules", entries));
            return;
        }

        string ruleName = parts[4];
        switch (method)
        {
            case "GET":
                Rule? rule = subscription.FindRule(ruleName);
                if (rule == null)
                {
                    await WriteError(context, 404, $"The messaging entity '{path}' could not be found.");
                    return;
                }

                await WriteXml(context, 200, AtomXml.Entry(baseUri, path, rule.Name, AtomXml.RuleDescription(rule), rule.CreatedAt, rule.CreatedAt));
                return;
            case "PUT":
                XElement description = await ReadDescription(context);
                Rule newRule = AtomXml.ReadRule(description, ruleName, ns.Clock());
                bool update = context.Request.Headers.IfMatch.Count > 0;
                bool ok = update ? subscription.ReplaceRule(newRule) : subscription.TryAddRule(newRule);
                if (!ok)
                {
                    await WriteError(context, update ? 404 : 409, update
                        ? $"The messaging entity '{path}' could not be found."
                        : $"The messaging entity '{path}' already exists.");
                    return;
                }

                await WriteXml(context, update ? 200 : 201, AtomXml.Entry(baseUri, path, newRule.Name, AtomXml.RuleDescription(newRule), newRule.CreatedAt, newRule.CreatedAt));
                return;
            case "DELETE":
                if (!subscription.RemoveRule(ruleName))
                {
                    await WriteError(context, 404, $"The messaging entity '{path}' could not be found.");
                    return;
                }

                context.Response.StatusCode = 200;
                return;
        }

        await WriteError(context, 405, $"Method {method} is not supported.");
    }

    /// <summary>
    /// Service Bus answers 400 to any request on a path whose names break the naming rules, whatever the method.
    /// </summary>
    /// <param name="subscriptionParts">The parts of a subscription path, or null for a queue or topic path.</param>
    private static string? NameProblem(string[]? subscriptionParts, string path)
    {
        if (subscriptionParts == null)
        {
            return EntityNames.QueueOrTopicPathProblem(path);
        }

        return EntityNames.QueueOrTopicPathProblem(subscriptionParts[0])
            ?? (subscriptionParts.Length >= 3 ? EntityNames.SubscriptionNameProblem(subscriptionParts[2]) : null)
            ?? (subscriptionParts.Length == 5 ? EntityNames.RuleNameProblem(subscriptionParts[4]) : null);
    }

    /// <summary>
    /// Splits "{topic}/Subscriptions[/{sub}[/Rules[/{rule}]]]" into [topic, "Subscriptions", ...]; topic names may
    /// contain '/', subscription and rule names may not. Any other path gives an empty array.
    /// </summary>
    private static string[] SubscriptionPathParts(string path)
    {
        string[] parts = path.Split('/');
        for (int i = parts.Length - 1; i > 0; i--)
        {
            if (!parts[i].Equals("Subscriptions", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            int after = parts.Length - i - 1;
            bool shape = after is 0 or 1
                || (after is 2 or 3 && parts[i + 2].Equals("Rules", StringComparison.OrdinalIgnoreCase));
            if (shape)
            {
                return new[] { string.Join('/', parts[..i]) }.Concat(parts[i..]).ToArray();
            }
        }

        return Array.Empty<string>();
    }

    private async Task WriteResult(HttpContext context, ProvisionResult result, string baseUri)
    {
        if (result.Entity == null)
        {
            await WriteError(context, result.Status, result.Error ?? "Failed.");
            return;
        }

        await WriteXml(context, result.Status, EntryOf(baseUri, result.Entity));
    }

    private static XElement EntryOf(string baseUri, MessagingEntity entity) => entity switch
    {
        QueueEntity q => AtomXml.Entry(baseUri, q.Path, q.Name, AtomXml.QueueDescription(q), q.CreatedAt, q.UpdatedAt),
        TopicEntity t => AtomXml.Entry(baseUri, t.Path, t.Name, AtomXml.TopicDescription(t), t.CreatedAt, t.UpdatedAt),
        SubscriptionEntity s => AtomXml.Entry(baseUri, s.Path, s.Name, AtomXml.SubscriptionDescription(s), s.CreatedAt, s.UpdatedAt),
        _ => throw new InvalidOperationException(),
    };

    private XElement NamespaceInfo(string baseUri) =>
        AtomXml.Entry(baseUri, "$namespaceinfo", ns.Name,
            new XElement(AtomXml.Sb + "NamespaceInfo",
                new XElement(AtomXml.Sb + "CreatedTime", ns.CreatedAt.ToString("O", CultureInfo.InvariantCulture)),
                new XElement(AtomXml.Sb + "MessagingSKU", "Standard"),
                new XElement(AtomXml.Sb + "ModifiedTime", ns.CreatedAt.ToString("O", CultureInfo.InvariantCulture)),
                new XElement(AtomXml.Sb + "Name", ns.Name),
                new XElement(AtomXml.Sb + "NamespaceType", "Messaging")),
            ns.CreatedAt, ns.CreatedAt);

    private static IEnumerable<T> Page<T>(HttpContext context, IReadOnlyList<T> items)
    {
        int skip = int.TryParse(context.Request.Query["$skip"], CultureInfo.InvariantCulture, out int s) ? s : 0;
        int top = int.TryParse(context.Request.Query["$top"], CultureInfo.InvariantCulture, out int t) ? t : 100;
        return items.Skip(skip).Take(top);
    }

    private static async Task<XElement> ReadDescription(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        string body = await reader.ReadToEndAsync();
        XElement entry = XElement.Parse(body);
        return AtomXml.DescriptionOf(entry) ?? throw new FormatException("The request body has no entry/content description.");
    }

    private static async Task WriteXml(HttpContext context, int status, XElement element)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/atom+xml;type=entry;charset=utf-8";
        await context.Response.WriteAsync(element.ToString(SaveOptions.DisableFormatting));
    }

    private static async Task WriteError(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml; charset=utf-8";
        var error = new XElement("Error", new XElement("Code", status), new XElement("Detail", ServiceBusErrors.Track(detail)));
        await context.Response.WriteAsync(error.ToString(SaveOptions.DisableFormatting));
    }
}
