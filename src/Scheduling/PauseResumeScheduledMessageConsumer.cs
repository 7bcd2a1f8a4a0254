using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.Logging;

namespace Persisters.Scheduling;

/// <summary>Pauses and resumes recurring schedules.</summary>
public sealed class PauseResumeScheduledMessageConsumer(DurableSchedulerHost host, ILogger<PauseResumeScheduledMessageConsumer> logger) :
    IConsumer<PauseScheduledRecurringMessage>,
    IConsumer<ResumeScheduledRecurringMessage>
{
    public async Task Consume(ConsumeContext<PauseScheduledRecurringMessage> context)
    {
        var key = CancelScheduledMessageConsumer.RecurringKey(context.Message.ScheduleId, context.Message.ScheduleGroup);
        var scheduler = await host.GetScheduler(context.CancellationToken);
        var paused = await scheduler.PauseTrigger(key, context.CancellationToken);
        logger.LogInformation("Pause recurring schedule {Key}: {Result}", key, paused);
    }

    public async Task Consume(ConsumeContext<ResumeScheduledRecurringMessage> context)
    {
        var key = CancelScheduledMessageConsumer.RecurringKey(context.Message.ScheduleId, context.Message.ScheduleGroup);
        var scheduler = await host.GetScheduler(context.CancellationToken);
        var resumed = await scheduler.ResumeTrigger(key, context.CancellationToken);
        logger.LogInformation("Resume recurring schedule {Key}: {Result}", key, resumed);
    }
}
