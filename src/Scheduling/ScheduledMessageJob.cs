using System.Net.Mime;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MassTransit;
using MassTransit.Serialization;
using MassTransit.Transports;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Persisters.Scheduling;

/// <summary>
/// Runs when a trigger fires: rebuilds the stored message and sends it to its destination on the bus. A transient
/// failure is thrown back to Quartz, whose retry policy on the trigger fires it again later (same MessageId); a
/// destination the bus cannot resolve is logged and dropped (retrying cannot help).
/// </summary>
internal sealed class ScheduledMessageJob(IBus bus, DurableSchedulerHost host, ILogger<ScheduledMessageJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var data = context.MergedJobDataMap;
        var destinationText = GetString(data, JobData.Destination);
        var messageTypes = (GetString(data, JobData.MessageType) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries);

        if (string.IsNullOrWhiteSpace(destinationText) || !Uri.TryCreate(destinationText, UriKind.Absolute, out var destination))
        {
            logger.LogError("Scheduled message {Trigger} dropped: its destination '{Destination}' is not an address", context.Trigger.Key, destinationText);
            return;
        }

        ISendEndpoint endpoint;
        try
        {
            endpoint = await bus.GetSendEndpoint(destination);
        }
        catch (Exception ex) when (ex is ArgumentException or UriFormatException or ConfigurationException or NotSupportedException)
        {
            logger.LogError(ex, "Scheduled message {Trigger} ({MessageType}) dropped: the bus cannot send to {Destination}", context.Trigger.Key,
                messageTypes, destination);
            return;
        }

        try
        {
            if (host.BeforeSend != null)
                await host.BeforeSend(destination);

            var pipe = new ForwardPipe(data, context, destination, messageTypes);
            await endpoint.Send(new SerializedMessageBody(), pipe, cancellationToken);

            logger.LogDebug("Scheduled message {Trigger} sent to {Destination} (scheduled {Scheduled:O}, attempt {Attempt})", context.Trigger.Key,
                destination, context.ScheduledFireTimeUtc, context.RetryAttempt + 1);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var policy = context.Trigger.RetryPolicy;
            var willRetry = policy != null && context.RetryAttempt + 1 < policy.MaxAttempts;
            if (willRetry)
                logger.LogWarning(ex, "Sending scheduled message {Trigger} to {Destination} failed (attempt {Attempt} of {Max}); it will be retried",
                    context.Trigger.Key, destination, context.RetryAttempt + 1, policy!.MaxAttempts);
            else
                logger.LogError(ex, "Sending scheduled message {Trigger} ({MessageType}) to {Destination} failed {Attempts} times; giving up",
                    context.Trigger.Key, messageTypes, destination, context.RetryAttempt + 1);
            throw;
        }
    }

    internal static string? GetString(JobDataMap map, string key) => map.TryGetValue(key, out var value) ? value as string ?? value?.ToString() : null;

    private static Guid? GetGuid(JobDataMap map, string key) => Guid.TryParse(GetString(map, key), out var id) ? id : null;

    private static Uri? GetUri(JobDataMap map, string key) =>
        Uri.TryCreate(GetString(map, key), UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>
    /// A one-shot message keeps the MessageId of its ScheduleMessage. A recurring firing gets an id derived from the
    /// trigger and its scheduled time, so a firing that is re-run after a host died carries the same id again.
    /// </summary>
    private static Guid FiringMessageId(IJobExecutionContext context)
    {
        var data = context.MergedJobDataMap;
        if (GetString(data, JobData.Recurring) != "1" && GetGuid(data, JobData.MessageId) is { } id)
            return id;

        var scheduled = (context.ScheduledFireTimeUtc ?? context.FireTimeUtc).ToUnixTimeMilliseconds();
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{context.Trigger.Key}|{scheduled}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50); // name-based (version 5 style)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    internal static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when element.TryGetInt32(out var i) => i,
        JsonValueKind.Number when element.TryGetInt64(out var l) => l,
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => element.GetRawText(),
    };


    private sealed class ForwardPipe(JobDataMap data, IJobExecutionContext job, Uri destination, string[] messageTypes) : IPipe<SendContext>
    {
        public Task Send(SendContext context)
        {
            var contentType = new ContentType(GetString(data, JobData.ContentType) ?? "application/vnd.masstransit+json");
            var deserializer = context.Serialization.GetMessageDeserializer(contentType);
            var body = deserializer.GetMessageBody(GetString(data, JobData.Body) ?? "");

            var messageId = FiringMessageId(job);
            var headers = new Dictionary<string, object> { [MessageHeaders.MessageId] = messageId.ToString("D") };
            var headersJson = GetString(data, JobData.Headers);
            if (!string.IsNullOrEmpty(headersJson))
            {
                foreach (var (key, value) in JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(headersJson) ?? [])
                {
                    if (FromJson(value) is { } converted)
                        headers[key] = converted;
                }
            }

            var serializerContext = deserializer.Deserialize(body, new JsonTransportHeaders(new DictionaryHeaderProvider(headers)), destination);

            context.MessageId = messageId;
            context.CorrelationId = GetGuid(data, JobData.CorrelationId);
            context.ConversationId = GetGuid(data, JobData.ConversationId);
            context.InitiatorId = GetGuid(data, JobData.InitiatorId);
            context.RequestId = GetGuid(data, JobData.RequestId);
            context.SourceAddress = GetUri(data, JobData.SourceAddress);
            context.ResponseAddress = GetUri(data, JobData.ResponseAddress);
            context.FaultAddress = GetUri(data, JobData.FaultAddress);
            context.SupportedMessageTypes = messageTypes.Length > 0 ? messageTypes : serializerContext.SupportedMessageTypes;

            if (DateTime.TryParse(GetString(data, JobData.ExpirationTime), null, System.Globalization.DateTimeStyles.RoundtripKind, out var expiration))
            {
                var ttl = expiration.ToUniversalTime() - DateTime.UtcNow;
                context.TimeToLive = ttl > TimeSpan.Zero ? ttl : TimeSpan.FromSeconds(1);
            }

            foreach (var (key, value) in headers)
            {
                if (!key.Equals(MessageHeaders.MessageId, StringComparison.OrdinalIgnoreCase))
                    context.Headers.Set(key, value);
            }

            // What MassTransit's own Quartz integration adds: the state machine checks the token to ignore stale timers.
            if (GetGuid(data, JobData.TokenId) is { } tokenId)
                context.Headers.Set(MessageHeaders.SchedulingTokenId, tokenId.ToString("D"));

            var scheduled = job.ScheduledFireTimeUtc ?? job.FireTimeUtc;
            if (GetString(data, JobData.Recurring) != "1"
                && DateTimeOffset.TryParse(GetString(data, JobData.ScheduledTime), null, System.Globalization.DateTimeStyles.RoundtripKind, out var requested))
                scheduled = requested;
            context.Headers.Set(MessageHeaders.Quartz.Scheduled, scheduled.UtcDateTime.ToString("O"));
            context.Headers.Set(MessageHeaders.Quartz.Sent, job.FireTimeUtc.UtcDateTime.ToString("O"));
            if (job.NextFireTimeUtc is { } next)
                context.Headers.Set(MessageHeaders.Quartz.NextScheduled, next.UtcDateTime.ToString("O"));
            if (job.PreviousFireTimeUtc is { } previous)
                context.Headers.Set(MessageHeaders.Quartz.PreviousSent, previous.UtcDateTime.ToString("O"));
            if (GetString(data, JobData.Recurring) == "1")
            {
                context.Headers.Set(MessageHeaders.Quartz.ScheduleId, job.Trigger.Key.Name[Keys.RecurringPrefix.Length..]);
                context.Headers.Set(MessageHeaders.Quartz.ScheduleGroup, job.Trigger.Key.Group);
            }

            context.Serializer = serializerContext.GetMessageSerializer();
            return Task.CompletedTask;
        }

        public void Probe(ProbeContext context) => context.CreateScope("durable-scheduler-forward");
    }
}
