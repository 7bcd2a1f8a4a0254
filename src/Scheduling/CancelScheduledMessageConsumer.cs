using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Persisters.Scheduling;

/// <summary>Removes one-shot and recurring triggers.</summary>
public sealed class CancelScheduledMessageConsumer(DurableSchedulerHost host, ILogger<CancelScheduledMessageConsumer> logger) :
    IConsumer<CancelScheduledMessage>,
    IConsumer<CancelScheduledRecurringMessage>
{
    public async Task Consume(ConsumeContext<CancelScheduledMessage> context)
    {
        var tokenId = context.Message.TokenId;
        var scheduler = await host.GetScheduler(context.CancellationToken);

        if (await scheduler.UnscheduleJob(Keys.Message(tokenId), context.CancellationToken))
        {
            logger.LogDebug("Cancelled scheduled message {TokenId}", tokenId);
            return;
        }

        // Either it already fired, or the cancellation overtook its ScheduleMessage (another host may still be about to
        // store it). Remember the cancellation for a while so that a late ScheduleMessage is dropped.
        var memory = host.Options.CancellationMemory;
        if (memory <= TimeSpan.Zero)
            return;

        var tombstone = TriggerBuilder.Create()
            .ForJob(DurableSchedulerHost.TombstoneJobKey)
            .WithIdentity(Keys.Cancelled(tokenId))
            .StartAt(scheduler.TimeProvider.GetUtcNow() + memory)
            .WithSchedule(SimpleScheduleBuilder.Create().WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await scheduler.ScheduleJob(tombstone, ScheduleJobOptions.Replacing, context.CancellationToken);

        // The schedule may have been stored between the first check and the tombstone: look once more.
        await scheduler.UnscheduleJob(Keys.Message(tokenId), context.CancellationToken);
        logger.LogDebug("CancelScheduledMessage {TokenId}: nothing scheduled (yet); remembered for {Memory}", tokenId, memory);
    }

    public async Task Consume(ConsumeContext<CancelScheduledRecurringMessage> context)
    {
        var key = RecurringKey(context.Message.ScheduleId, context.Message.ScheduleGroup);
        var scheduler = await host.GetScheduler(context.CancellationToken);
        var removed = await scheduler.UnscheduleJob(key, context.CancellationToken);
        logger.LogInformation("Cancel recurring schedule {Key}: {Result}", key, removed ? "removed" : "not found");
    }

    internal static TriggerKey RecurringKey(string scheduleId, string? scheduleGroup) =>
        Keys.Recurring(scheduleId.StartsWith(Keys.RecurringPrefix, StringComparison.Ordinal) ? scheduleId[Keys.RecurringPrefix.Length..] : scheduleId,
            scheduleGroup);
}
