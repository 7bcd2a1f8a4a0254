using Azure.Messaging.ServiceBus;
using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>
/// MassTransit headers ↔ Service Bus message properties, as MassTransit's Service Bus package maps them: MessageId and
/// CorrelationId as the message's own properties (32 hex digits), the content type as ContentType, every other header as
/// an application property of a type AMQP can carry (strings, numbers, booleans, dates; anything else as its string),
/// each at most 16,382 characters (Service Bus limits a message's properties to 64 KiB in total).
/// </summary>
internal static class ServiceBusHeaders
{
    /// <summary>Longest header value kept (MassTransit's Service Bus limit: 32,767 bytes as UTF-16, less one character).</summary>
    public const int MaxHeaderLength = 32767 / sizeof(char) - 1;

    private static readonly ITransportSetHeaderAdapter<object> Adapter =
        new DictionaryTransportSetHeaderAdapter(new SimpleHeaderValueConverter()) { MaxHeaderLength = MaxHeaderLength };

    private static readonly ITransportSetHeaderAdapter<object> FaultAdapter =
        new DictionaryTransportSetHeaderAdapter(new SimpleHeaderValueConverter(),
            TransportHeaderOptions.IncludeFaultMessage | TransportHeaderOptions.IncludeFaultDetail | TransportHeaderOptions.IncludeHost)
        {
            MaxHeaderLength = MaxHeaderLength,
        };

    /// <summary>The Service Bus message for a serialized MassTransit send.</summary>
    public static ServiceBusMessage ToMessage<T>(ServiceBusSendContextImpl<T> context) where T : class
    {
        var message = new ServiceBusMessage(context.Body.GetBytes()) { ContentType = context.ContentType?.ToString() };
        Adapter.Set(message.ApplicationProperties, context.Headers);
        if (context.TimeToLive is { } ttl)
            message.TimeToLive = ttl > TimeSpan.Zero ? ttl : TimeSpan.FromSeconds(1);
        if (context.MessageId is { } messageId)
            message.MessageId = messageId.ToString("N");
        if (context.CorrelationId is { } correlationId)
            message.CorrelationId = correlationId.ToString("N");
        if (!string.IsNullOrEmpty(context.PartitionKey))
            message.PartitionKey = context.PartitionKey;
        if (!string.IsNullOrEmpty(context.Label))
            message.Subject = context.Label;
        return message;
    }

    /// <summary>
    /// A copy of a received message for another queue (<c>_error</c>, <c>_skipped</c>): same body, ids, content type,
    /// subject and application properties, plus <paramref name="extraHeaders"/> (fault details, the reason), which
    /// replace earlier ones of the same name. The time to live is kept only when it is shorter than
    /// <paramref name="sourceTimeToLive"/>, the source queue's <c>DefaultMessageTimeToLive</c> (null: unlimited): Service Bus
    /// stamps that default on every message whose sender set none, and it bounds the source queue, not the error queue.
    /// </summary>
    public static ServiceBusMessage ToMovedMessage(ReceiveContext context, IEnumerable<KeyValuePair<string, object>> extraHeaders, int? maxStackTrace,
        TimeSpan? sourceTimeToLive = null)
    {
        var message = new ServiceBusMessage(context.GetBody()) { ContentType = context.ContentType?.ToString() };
        if (context.TryGetPayload<ServiceBusReceivedMessage>(out var original))
        {
            message.MessageId = original.MessageId;
            message.CorrelationId = original.CorrelationId;
            message.Subject = original.Subject;
            message.ContentType = original.ContentType ?? message.ContentType;
            if (original.TimeToLive != TimeSpan.MaxValue && original.TimeToLive > TimeSpan.Zero
                && (sourceTimeToLive is not { } queueDefault || original.TimeToLive < queueDefault))
                message.TimeToLive = original.TimeToLive;
            foreach (var (key, value) in original.ApplicationProperties)
            {
                if (!key.StartsWith("MT-Fault-", StringComparison.Ordinal) && key != MessageHeaders.Reason)
                    message.ApplicationProperties[key] = value;
            }
        }
        else
        {
            foreach (var (key, value) in context.TransportHeaders.GetAll())
                FaultAdapter.Set(message.ApplicationProperties, new HeaderValue(key, value));
        }

        foreach (var (key, value) in extraHeaders)
        {
            if (key == MessageHeaders.FaultStackTrace && maxStackTrace is { } max && value is string trace && trace.Length > max)
            {
                if (max == 0)
                    continue;
                FaultAdapter.Set(message.ApplicationProperties, new HeaderValue(key, trace[..max] + " …(truncated)"));
                continue;
            }
            FaultAdapter.Set(message.ApplicationProperties, new HeaderValue(key, value));
        }
        return message;
    }
}
