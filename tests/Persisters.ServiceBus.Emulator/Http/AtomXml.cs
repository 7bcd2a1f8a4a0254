using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Persisters.ServiceBus.Emulator.Broker;

namespace Persisters.ServiceBus.Emulator.Http;

/// <summary>
/// Service Bus's ATOM entity descriptions (QueueDescription, TopicDescription, SubscriptionDescription,
/// RuleDescription) as the administration client writes and reads them: element names in the
/// .../2010/10/servicebus/connect namespace, TimeSpans as xsd:duration, runtime counts in CountDetails.
/// </summary>
public static class AtomXml
{
    public static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    public static readonly XNamespace Sb = "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect";
    public static readonly XNamespace Counts = "http://schemas.microsoft.com/netservices/2011/06/servicebus";
    public static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    /// <summary>Reads the description element inside an ATOM entry (entry/content/*).</summary>
    public static XElement? DescriptionOf(XElement entry) =>
        entry.Element(Atom + "content")?.Elements().FirstOrDefault();

    /// <summary>Applies the elements of a description to <paramref name="properties"/>; unknown ones are ignored.</summary>
    /// <exception cref="FormatException">A value is not of the element's type.</exception>
    public static void Read(XElement description, EntityProperties properties)
    {
        foreach (XElement e in description.Elements())
        {
            string v = e.Value;
            switch (e.Name.LocalName)
            {
                case "LockDuration": properties.LockDuration = XmlConvert.ToTimeSpan(v); break;
                case "MaxSizeInMegabytes": properties.MaxSizeInMegabytes = long.Parse(v, CultureInfo.InvariantCulture); break;
                case "RequiresDuplicateDetection": properties.RequiresDuplicateDetection = XmlConvert.ToBoolean(v); break;
                case "RequiresSession": properties.RequiresSession = XmlConvert.ToBoolean(v); break;
                case "DefaultMessageTimeToLive": properties.DefaultMessageTimeToLive = ParseDuration(v); break;
                case "DeadLetteringOnMessageExpiration": properties.DeadLetteringOnMessageExpiration = XmlConvert.ToBoolean(v); break;
                case "DeadLetteringOnFilterEvaluationExceptions": properties.DeadLetteringOnFilterEvaluationExceptions = XmlConvert.ToBoolean(v); break;
                case "DuplicateDetectionHistoryTimeWindow": properties.DuplicateDetectionHistoryTimeWindow = XmlConvert.ToTimeSpan(v); break;
                case "MaxDeliveryCount": properties.MaxDeliveryCount = int.Parse(v, CultureInfo.InvariantCulture); break;
                case "EnableBatchedOperations": properties.EnableBatchedOperations = XmlConvert.ToBoolean(v); break;
                case "IsAnonymousAccessible": properties.IsAnonymousAccessible = XmlConvert.ToBoolean(v); break;
                case "FilteringMessagesBeforePublishing": properties.FilteringMessagesBeforePublishing = XmlConvert.ToBoolean(v); break;
                case "SupportOrdering": properties.SupportOrdering = XmlConvert.ToBoolean(v); break;
                case "Status": properties.Status = v; break;
                case "ForwardTo": properties.ForwardTo = string.IsNullOrWhiteSpace(v) ? null : v; break;
                case "ForwardDeadLetteredMessagesTo": properties.ForwardDeadLetteredMessagesTo = string.IsNullOrWhiteSpace(v) ? null : v; break;
                case "UserMetadata": properties.UserMetadata = v; break;
                case "AutoDeleteOnIdle": properties.AutoDeleteOnIdle = ParseDuration(v); break;
                case "EnablePartitioning": properties.EnablePartitioning = XmlConvert.ToBoolean(v); break;
                case "EnableSubscriptionPartitioning": properties.EnableSubscriptionPartitioning = XmlConvert.ToBoolean(v); break;
                case "EnableExpress": properties.EnableExpress = XmlConvert.ToBoolean(v); break;
                case "MaxMessageSizeInKilobytes": properties.MaxMessageSizeInKilobytes = long.Parse(v, CultureInfo.InvariantCulture); break;
            }
        }
    }

    private static TimeSpan ParseDuration(string v)
    {
        TimeSpan t = XmlConvert.ToTimeSpan(v);
        return t >= TimeSpan.FromDays(10675199) ? TimeSpan.MaxValue : t;
    }

    private static string Duration(TimeSpan t) => XmlConvert.ToString(t == TimeSpan.MaxValue ? TimeSpan.MaxValue : t);
    private static string Bool(bool b) => XmlConvert.ToString(b);
    private static string Time(DateTime t) => XmlConvert.ToString(DateTime.SpecifyKind(t, DateTimeKind.Utc), XmlDateTimeSerializationMode.Utc);

    private static XElement CountDetails(long active, long deadLetter, long scheduled) =>
        new(Sb + "CountDetails",
            new XAttribute(XNamespace.Xmlns + "d2p1", Counts.NamespaceName),
            new XElement(Counts + "ActiveMessageCount", active),
            new XElement(Counts + "DeadLetterMessageCount", deadLetter),
            new XElement(Counts + "ScheduledMessageCount", scheduled),
            new XElement(Counts + "TransferMessageCount", 0),
            new XElement(Counts + "TransferDeadLetterMessageCount", 0));

    public static XElement QueueDescription(QueueEntity q)
    {
        EntityProperties p = q.Properties;
        var main = q.Store.CountMessages();
        var dead = q.DeadLetterStore.CountMessages();
        return new XElement(Sb + "QueueDescription",
            new XAttribute(XNamespace.Xmlns + "i", Xsi.NamespaceName),
            new XElement(Sb + "LockDuration", Duration(p.LockDuration)),
            new XElement(Sb + "MaxSizeInMegabytes", p.MaxSizeInMegabytes),
            new XElement(Sb + "RequiresDuplicateDetection", Bool(p.RequiresDuplicateDetection)),
            new XElement(Sb + "RequiresSession", Bool(p.RequiresSession)),
            new XElement(Sb + "DefaultMessageTimeToLive", Duration(p.DefaultMessageTimeToLive)),
            new XElement(Sb + "DeadLetteringOnMessageExpiration", Bool(p.DeadLetteringOnMessageExpiration)),
            new XElement(Sb + "DuplicateDetectionHistoryTimeWindow", Duration(p.DuplicateDetectionHistoryTimeWindow)),
            new XElement(Sb + "MaxDeliveryCount", p.MaxDeliveryCount),
            new XElement(Sb + "EnableBatchedOperations", Bool(p.EnableBatchedOperations)),
            new XElement(Sb + "SizeInBytes", q.SizeInBytes),
            new XElement(Sb + "MessageCount", main.Total + dead.Total),
            new XElement(Sb + "IsAnonymousAccessible", Bool(p.IsAnonymousAccessible)),
            new XElement(Sb + "Status", p.Status),
            p.ForwardTo == null ? null : new XElement(Sb + "ForwardTo", p.ForwardTo),
            p.UserMetadata == null ? null : new XElement(Sb + "UserMetadata", p.UserMetadata),
            new XElement(Sb + "CreatedAt", Time(q.CreatedAt)),
            new XElement(Sb + "UpdatedAt", Time(q.UpdatedAt)),
            new XElement(Sb + "AccessedAt", Time(q.AccessedAt)),
            new XElement(Sb + "SupportOrdering", Bool(p.SupportOrdering)),
            CountDetails(main.Active, dead.Total, main.Scheduled),
            new XElement(Sb + "AutoDeleteOnIdle", Duration(p.AutoDeleteOnIdle)),
            new XElement(Sb + "EnablePartitioning", Bool(p.EnablePartitioning)),
            new XElement(Sb + "EntityAvailabilityStatus", "Available"),
            p.ForwardDeadLetteredMessagesTo == null ? null : new XElement(Sb + "ForwardDeadLetteredMessagesTo", p.ForwardDeadLetteredMessagesTo),
            new XElement(Sb + "EnableExpress", Bool(p.EnableExpress)),
            p.MaxMessageSizeInKilobytes == null ? null : new XElement(Sb + "MaxMessageSizeInKilobytes", p.MaxMessageSizeInKilobytes));
    }

    public static XElement TopicDescription(TopicEntity t)
    {
        EntityProperties p = t.Properties;
        IReadOnlyList<SubscriptionEntity> subscriptions = t.Subscriptions;
        return new XElement(Sb + "TopicDescription",
            new XAttribute(XNamespace.Xmlns + "i", Xsi.NamespaceName),
            new XElement(Sb + "DefaultMessageTimeToLive", Duration(p.DefaultMessageTimeToLive)),
            new XElement(Sb + "MaxSizeInMegabytes", p.MaxSizeInMegabytes),
            new XElement(Sb + "RequiresDuplicateDetection", Bool(p.RequiresDuplicateDetection)),
            new XElement(Sb + "DuplicateDetectionHistoryTimeWindow", Duration(p.DuplicateDetectionHistoryTimeWindow)),
            new XElement(Sb + "EnableBatchedOperations", Bool(p.EnableBatchedOperations)),
            new XElement(Sb + "SizeInBytes", t.SizeInBytes),
            new XElement(Sb + "FilteringMessagesBeforePublishing", Bool(p.FilteringMessagesBeforePublishing)),
            new XElement(Sb + "IsAnonymousAccessible", Bool(p.IsAnonymousAccessible)),
            new XElement(Sb + "Status", p.Status),
            p.UserMetadata == null ? null : new XElement(Sb + "UserMetadata", p.UserMetadata),
            new XElement(Sb + "CreatedAt", Time(t.CreatedAt)),
            new XElement(Sb + "UpdatedAt", Time(t.UpdatedAt)),
            new XElement(Sb + "AccessedAt", Time(t.AccessedAt)),
            new XElement(Sb + "SupportOrdering", Bool(p.SupportOrdering)),
            CountDetails(0, 0, t.ScheduledCount),
            new XElement(Sb + "SubscriptionCount", subscriptions.Count),
            new XElement(Sb + "AutoDeleteOnIdle", Duration(p.AutoDeleteOnIdle)),
            new XElement(Sb + "EnablePartitioning", Bool(p.EnablePartitioning)),
            new XElement(Sb + "EntityAvailabilityStatus", "Available"),
            new XElement(Sb + "EnableSubscriptionPartitioning", Bool(p.EnableSubscriptionPartitioning)),
            new XElement(Sb + "EnableExpress", Bool(p.EnableExpress)),
            p.MaxMessageSizeInKilobytes == null ? null : new XElement(Sb + "MaxMessageSizeInKilobytes", p.MaxMessageSizeInKilobytes));
    }

    public static XElement SubscriptionDescription(SubscriptionEntity s)
    {
        EntityProperties p = s.Properties;
        var main = s.Store.CountMessages();
        var dead = s.DeadLetterStore.CountMessages();
        return new XElement(Sb + "SubscriptionDescription",
            new XAttribute(XNamespace.Xmlns + "i", Xsi.NamespaceName),
            new XElement(Sb + "LockDuration", Duration(p.LockDuration)),
            new XElement(Sb + "RequiresSession", Bool(p.RequiresSession)),
            new XElement(Sb + "DefaultMessageTimeToLive", Duration(p.DefaultMessageTimeToLive)),
            new XElement(Sb + "DeadLetteringOnMessageExpiration", Bool(p.DeadLetteringOnMessageExpiration)),
            new XElement(Sb + "DeadLetteringOnFilterEvaluationExceptions", Bool(p.DeadLetteringOnFilterEvaluationExceptions)),
            new XElement(Sb + "MessageCount", main.Total + dead.Total),
            new XElement(Sb + "MaxDeliveryCount", p.MaxDeliveryCount),
            new XElement(Sb + "EnableBatchedOperations", Bool(p.EnableBatchedOperations)),
            new XElement(Sb + "Status", p.Status),
            p.ForwardTo == null ? null : new XElement(Sb + "ForwardTo", p.ForwardTo),
            new XElement(Sb + "CreatedAt", Time(s.CreatedAt)),
            new XElement(Sb + "UpdatedAt", Time(s.UpdatedAt)),
            new XElement(Sb + "AccessedAt", Time(s.AccessedAt)),
            CountDetails(main.Active, dead.Total, main.Scheduled),
            p.UserMetadata == null ? null : new XElement(Sb + "UserMetadata", p.UserMetadata),
            p.ForwardDeadLetteredMessagesTo == null ? null : new XElement(Sb + "ForwardDeadLetteredMessagesTo", p.ForwardDeadLetteredMessagesTo),
            new XElement(Sb + "AutoDeleteOnIdle", Duration(p.AutoDeleteOnIdle)),
            new XElement(Sb + "EntityAvailabilityStatus", "Available"));
    }

    public static XElement RuleDescription(Rule rule) =>
        new(Sb + "RuleDescription",
            new XAttribute(XNamespace.Xmlns + "i", Xsi.NamespaceName),
            rule.FilterXml != null ? new XElement(rule.FilterXml) : FilterElement(rule.Filter),
            rule.ActionXml != null ? new XElement(rule.ActionXml) : new XElement(Sb + "Action", new XAttribute(Xsi + "type", "EmptyRuleAction")),
            new XElement(Sb + "CreatedAt", Time(rule.CreatedAt)),
            new XElement(Sb + "Name", rule.Name));

    private static XElement FilterElement(RuleFilter filter) => filter switch
    {
        FalseFilter => new XElement(Sb + "Filter", new XAttribute(Xsi + "type", "FalseFilter"),
            new XElement(Sb + "SqlExpression", "1=0"), new XElement(Sb + "CompatibilityLevel", 20)),
        SqlFilter sql => new XElement(Sb + "Filter", new XAttribute(Xsi + "type", "SqlFilter"),
            new XElement(Sb + "SqlExpression", sql.Expression), new XElement(Sb + "CompatibilityLevel", 20)),
        _ => new XElement(Sb + "Filter", new XAttribute(Xsi + "type", "TrueFilter"),
            new XElement(Sb + "SqlExpression", "1=1"), new XElement(Sb + "CompatibilityLevel", 20)),
    };

    /// <summary>Builds a rule from a RuleDescription (or a subscription's DefaultRuleDescription) element.</summary>
    /// <exception cref="FormatException">The filter is of an unknown type or its SQL does not parse.</exception>
    public static Rule ReadRule(XElement description, string? name, DateTime now)
    {
        string ruleName = name ?? description.Element(Sb + "Name")?.Value ?? Rule.DefaultRuleName;
        XElement? filterXml = description.Element(Sb + "Filter");
        XElement? actionXml = description.Element(Sb + "Action");
        if (actionXml?.Attribute(Xsi + "type")?.Value == "SqlRuleAction")
        {
            throw new FormatException("SqlRuleAction is not supported by the Service Bus test emulator (rule actions are not applied).");
        }

        RuleFilter filter = filterXml == null ? TrueFilter.Instance : ReadFilter(filterXml);
        return new Rule(ruleName, filter, filterXml, actionXml, now);
    }

    public static RuleFilter ReadFilter(XElement filterXml)
    {
        string type = filterXml.Attribute(Xsi + "type")?.Value ?? "";
        return type switch
        {
            "TrueFilter" => TrueFilter.Instance,
            "FalseFilter" => FalseFilter.Instance,
            "SqlFilter" => new SqlFilter(filterXml.Element(Sb + "SqlExpression")?.Value ?? "", ReadParameters(filterXml.Element(Sb + "Parameters"))),
            "CorrelationFilter" => new CorrelationFilter
            {
                CorrelationId = filterXml.Element(Sb + "CorrelationId")?.Value,
                MessageId = filterXml.Element(Sb + "MessageId")?.Value,
                To = filterXml.Element(Sb + "To")?.Value,
                ReplyTo = filterXml.Element(Sb + "ReplyTo")?.Value,
                Subject = filterXml.Element(Sb + "Label")?.Value,
                SessionId = filterXml.Element(Sb + "SessionId")?.Value,
                ReplyToSessionId = filterXml.Element(Sb + "ReplyToSessionId")?.Value,
                ContentType = filterXml.Element(Sb + "ContentType")?.Value,
                ApplicationProperties = ReadParameters(filterXml.Element(Sb + "Properties")),
            },
            _ => throw new FormatException($"Filter type '{type}' is not known."),
        };
    }

    /// <summary>Reads a KeyValueOfstringanyType list (values typed by xsi:type: string, int, long, boolean, double, dateTime, duration).</summary>
    private static Dictionary<string, object?> ReadParameters(XElement? list)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (list == null)
        {
            return result;
        }

        foreach (XElement pair in list.Elements(Sb + "KeyValueOfstringanyType"))
        {
            string key = pair.Element(Sb + "Key")?.Value ?? "";
            XElement? value = pair.Element(Sb + "Value");
            string type = value?.Attribute(Xsi + "type")?.Value ?? "";
            string local = type.Contains(':') ? type[(type.IndexOf(':') + 1)..] : type;
            string text = value?.Value ?? "";
            result[key] = local switch
            {
                "int" => XmlConvert.ToInt32(text),
                "long" => XmlConvert.ToInt64(text),
                "boolean" => XmlConvert.ToBoolean(text),
                "double" => XmlConvert.ToDouble(text),
                "dateTime" => XmlConvert.ToDateTime(text, XmlDateTimeSerializationMode.Utc),
                "duration" => XmlConvert.ToTimeSpan(text),
                _ => text,
            };
        }

        return result;
    }

    /// <summary>Wraps a description in an ATOM entry with the entity's name as title.</summary>
    public static XElement Entry(string baseUri, string path, string title, XElement description, DateTime created, DateTime updated) =>
        new(Atom + "entry",
            new XElement(Atom + "id", $"{baseUri}/{path}"),
            new XElement(Atom + "title", new XAttribute("type", "text"), title),
            new XElement(Atom + "published", Time(created)),
            new XElement(Atom + "updated", Time(updated)),
            new XElement(Atom + "link", new XAttribute("rel", "self"), new XAttribute("href", $"{baseUri}/{path}")),
            new XElement(Atom + "content", new XAttribute("type", "application/xml"), description));

    public static XElement Feed(string baseUri, string path, string title, IEnumerable<XElement> entries) =>
        new(Atom + "feed",
            new XElement(Atom + "title", new XAttribute("type", "text"), title),
            new XElement(Atom + "id", $"{baseUri}/{path}"),
            new XElement(Atom + "updated", Time(DateTime.UtcNow)),
            new XElement(Atom + "link", new XAttribute("rel", "self"), new XAttribute("href", $"{baseUri}/{path}")),
            entries);
}
