using MassTransit;

namespace Persisters.Scheduling.Tests.Messages;

public sealed class ReminderConsumer(DeliveryLog log) : IConsumer<Reminder>
{
    public Task Consume(ConsumeContext<Reminder> context)
    {
        log.Reminders.Enqueue((context.Message.Id, context.MessageId, DateTime.UtcNow,
            context.Headers.Get<string>(MessageHeaders.Quartz.Scheduled), context.Headers.Get<string>(MessageHeaders.SchedulingTokenId)));
        return Task.CompletedTask;
    }
}
