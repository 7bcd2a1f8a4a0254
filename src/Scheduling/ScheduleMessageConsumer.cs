using System.Text.Json;
using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Persisters.Scheduling;

/// <summary>
/// Turns <see cref="ScheduleMessage" /> and <see cref="ScheduleRecurringMessage" /> into Quartz triggers. A request
/// that can never succeed is rejected with <see cref="ScheduleRequestRejectedException" /> (logged, not retried,
/// moved to the error queue).
/// </summary>
public sealed class ScheduleMessageConsumer(DurableSchedulerHost host, ILogger<ScheduleMessageConsumer> logger) :
    IConsumer<ScheduleMessage>,
    IConsumer<ScheduleRecurringMessage>
{
    public async Task Consume(ConsumeContext<ScheduleMessage> context)
    {
        var message = context.Message;
        var reject = Validate(message.Destination, message.Payload, message.PayloadType);
        if (reject == null && message.CorrelationId == Guid.Empty)
            reject = "CorrelationId (the scheduling token) is empty";
        if (reject == null)
            reject = await CheckDestination(context, message.Destination);
        if (reject != null)
            throw Rejected(context, reject);

        var scheduler = await host.GetScheduler(context.CancellationToken);

        if (await scheduler.Exists(Keys.Cancelled(message.CorrelationId), context.CancellationToken))
        {
            logger.LogInformation("ScheduleMessage {TokenId} ignored: it was cancelled before it arrived", message.CorrelationId);
            return;
        }

        var scheduledTime = DateTime.SpecifyKind(message.ScheduledTime, message.ScheduledTime.Kind == DateTimeKind.Local ? DateTimeKind.Local : DateTimeKind.Utc);
        var requested = new DateTimeOffset(scheduledTime.ToUniversalTime(), TimeSpan.Zero);
        var now = scheduler.TimeProvider.GetUtcNow();

        var builder = TriggerBuilder.Create()
            .ForJob(DurableSchedulerHost.MessageJobKey)
            .WithIdentity(Keys.Message(message.CorrelationId))
            // A time in the past fires at once; after downtime a missed message fires as soon as a host is up.
            .StartAt(requested > now ? requested : now)
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .WithRetryPolicy(RetryPolicyOf(host.Options));

        Populate(builder, context, message.Payload, message.PayloadType, message.Destination, context.MessageId ?? NewId.NextGuid(),
            message.CorrelationId, requested, recurring: false);

        await Store(scheduler, builder.Build(), context.CancellationToken);

        // A cancellation handled by another host at the same moment: either it sees this trigger (it unschedules after
        // writing its memory) or this check sees its memory.
        if (await scheduler.Exists(Keys.Cancelled(message.CorrelationId), context.CancellationToken))
        {
            await scheduler.UnscheduleJob(Keys.Message(message.CorrelationId), context.CancellationToken);
            logger.LogInformation("ScheduleMessage {TokenId} removed: it was cancelled while being stored", message.CorrelationId);
            return;
        }

        logger.LogDebug("Scheduled {TokenId} for {Destination} at {ScheduledTime:O}", message.CorrelationId, message.Destination, requested);
    }

    public async Task Consume(ConsumeContext<ScheduleRecurringMessage> context)
    {
        var message = context.Message;
        var schedule = message.Schedule;

        var reject = Validate(message.Destination, message.Payload, message.PayloadType);
        TimeZoneInfo timeZone = TimeZoneInfo.Utc;
        CronExpression? cron = null;
        if (reject == null && schedule == null)
            reject = "Schedule is missing";
        if (reject == null && string.IsNullOrWhiteSpace(schedule!.ScheduleId))
            reject = "Schedule.ScheduleId is empty";
        if (reject == null && !string.IsNullOrWhiteSpace(schedule!.TimeZoneId) && !TryFindTimeZone(schedule.TimeZoneId, out timeZone))
            reject = $"Schedule.TimeZoneId '{schedule.TimeZoneId}' is not a known time zone";
        if (reject == null && (string.IsNullOrWhiteSpace(schedule!.CronExpression) || !CronExpression.TryParse(schedule.CronExpression, out cron)))
            reject = $"Schedule.CronExpression '{schedule!.CronExpression}' is not a valid Quartz cron expression";

        var start = schedule?.StartTime ?? default;
        if (start == default)
            start = DateTimeOffset.UtcNow;
        if (reject == null)
        {
            var first = cron!.WithTimeZone(timeZone).GetNextValidTimeAfter(start.AddSeconds(-1));
            if (first == null || (schedule!.EndTime is { } end && first > end))
                reject = $"Schedule '{schedule!.CronExpression}' between {start:O} and {schedule.EndTime:O} never fires";
        }

        if (reject == null)
            reject = await CheckDestination(context, message.Destination);
        if (reject != null)
            throw Rejected(context, reject);

        var triggerKey = Keys.Recurring(schedule!.ScheduleId, schedule.ScheduleGroup);
        var builder = TriggerBuilder.Create()
            .ForJob(DurableSchedulerHost.MessageJobKey)
            .WithIdentity(triggerKey)
            .WithDescription(schedule.Description)
            .StartAt(start)
            .WithSchedule(CronScheduleBuilder.Create(cron!.CronExpressionString)
                .InTimeZone(timeZone)
                .WithMisfireInstruction(schedule.MisfirePolicy == MissedEventPolicy.Skip
                    ? CronTriggerMisfireInstruction.DoNothing // skip what was missed, wait for the next occurrence
                    : CronTriggerMisfireInstruction.FireAndProceed)) // one catch-up firing, never a burst
            .WithRetryPolicy(RetryPolicyOf(host.Options));
        if (schedule.EndTime.HasValue)
            builder.EndAt(schedule.EndTime);

        Populate(builder, context, message.Payload, message.PayloadType, message.Destination, null, message.CorrelationId, start, recurring: true);

        var scheduler = await host.GetScheduler(context.CancellationToken);
        await Store(scheduler, builder.Build(), context.CancellationToken);

        logger.LogInformation("Recurring schedule {Key} '{Cron}' ({TimeZone}) sends to {Destination}", triggerKey, schedule.CronExpression, timeZone.Id,
            message.Destination);
    }

    /// <summary>
    /// Inserts the trigger; a trigger with the same key (the same token scheduled again, or a redelivered request) is
    /// replaced. A plain insert takes no cluster-wide lock, a replacement does, so the common case tries the insert first.
    /// </summary>
    private static async Task Store(IScheduler scheduler, ITrigger trigger, CancellationToken cancellationToken)
    {
        try
        {
            await scheduler.ScheduleJob(trigger, default, cancellationToken);
        }
        catch (ObjectAlreadyExistsException)
        {
            await scheduler.ScheduleJob(trigger, ScheduleJobOptions.Replacing, cancellationToken);
        }
    }

    internal static RetryPolicy RetryPolicyOf(SchedulerOptions options) =>
        options.MaxSendAttempts <= 1
            ? RetryPolicy.None
            : RetryPolicy.Exponential(options.MaxSendAttempts, options.SendRetryDelay, 2.0, TimeSpan.FromMinutes(1));

    private static bool TryFindTimeZone(string id, out TimeZoneInfo zone)
    {
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = TimeZoneInfo.Utc;
            return false;
        }
    }

    private static string? Validate(Uri? destination, object? payload, string[]? payloadType)
    {
        if (destination == null)
            return "Destination is missing";
        if (!destination.IsAbsoluteUri)
            return $"Destination '{destination}' is not an absolute address";
        if (payload == null || payload is JsonElement { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined })
            return "Payload is missing";
        if (payloadType == null || payloadType.Length == 0 || payloadType.Any(string.IsNullOrWhiteSpace))
            return "PayloadType is missing";
        return null;
    }

    /// <summary>The destination must be an address this bus can send to: its own transport's scheme or a short address.</summary>
    private static async Task<string?> CheckDestination(ConsumeContext context, Uri destination)
    {
        var busScheme = context.ReceiveContext.InputAddress?.Scheme;
        var scheme = destination.Scheme;
        var shortForm = scheme is "queue" or "exchange" or "topic";
        if (!shortForm && busScheme != null && !scheme.Equals(busScheme, StringComparison.OrdinalIgnoreCase))
            return $"Destination '{destination}' is unknown: this bus sends to '{busScheme}:' or 'queue:' addresses";

        try
        {
            await context.GetSendEndpoint(destination);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"Destination '{destination}' is unknown: {ex.Message}";
        }
    }

    private Exception Rejected(ConsumeContext context, string reason)
    {
        logger.LogWarning("Schedule request {MessageId} rejected: {Reason}", context.MessageId, reason);
        return new ScheduleRequestRejectedException(reason);
    }

    private static void Populate(TriggerBuilder<IJob> builder, ConsumeContext context, object payload, string[] payloadType, Uri destination,
        Guid? messageId, Guid tokenId, DateTimeOffset scheduledTime, bool recurring)
    {
        // The payload, re-serialized the way it arrived (content type and envelope of this bus's serializer).
        var serializer = context.SerializerContext.GetMessageSerializer(payload, payloadType);
        var body = serializer.GetMessageBody(new MessageSendContext<object>(payload));

        builder.UsingJobData(JobData.Destination, destination.ToString())
            .UsingJobData(JobData.Body, body.GetString())
            .UsingJobData(JobData.ContentType, context.ReceiveContext.ContentType?.ToString() ?? serializer.ContentType.ToString())
            .UsingJobData(JobData.MessageType, string.Join(";", payloadType))
            .UsingJobData(JobData.TokenId, tokenId.ToString("N"))
            .UsingJobData(JobData.ScheduledTime, scheduledTime.ToString("O"));

        if (recurring)
            builder.UsingJobData(JobData.Recurring, "1");
        if (messageId.HasValue)
            builder.UsingJobData(JobData.MessageId, messageId.Value.ToString("D"));
        Put(JobData.CorrelationId, context.CorrelationId);
        Put(JobData.ConversationId, context.ConversationId);
        Put(JobData.InitiatorId, context.InitiatorId);
        Put(JobData.RequestId, context.RequestId);
        Put(JobData.SourceAddress, context.SourceAddress);
        Put(JobData.ResponseAddress, context.ResponseAddress);
        Put(JobData.FaultAddress, context.FaultAddress);
        if (context.ExpirationTime.HasValue)
            builder.UsingJobData(JobData.ExpirationTime, context.ExpirationTime.Value.ToUniversalTime().ToString("O"));

        var headers = new Dictionary<string, object?>();
        foreach (var (key, value) in context.Headers.GetAll())
        {
            if (IsEnvelopeHeader(key) || value == null)
                continue;
            headers[key] = value;
        }

        if (headers.Count > 0)
            builder.UsingJobData(JobData.Headers, JsonSerializer.Serialize(headers));

        void Put(string key, object? value)
        {
            if (value != null)
                builder.UsingJobData(key, value.ToString());
        }
    }

    private static bool IsEnvelopeHeader(string key) =>
        key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageHeaders.MessageId, StringComparison.OrdinalIgnoreCase)
        || key.Equals("publishId", StringComparison.OrdinalIgnoreCase)
        || key.Equals(MessageHeaders.SchedulingTokenId, StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("MT-Host-", StringComparison.OrdinalIgnoreCase)
        || key.StartsWith("MT-Quartz-", StringComparison.OrdinalIgnoreCase);
}
