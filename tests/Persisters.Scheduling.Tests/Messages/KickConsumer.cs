using MassTransit;

namespace Persisters.Scheduling.Tests.Messages;

/// <summary>Schedules a Reminder from inside a consumer (ConsumeContext.ScheduleSend, the path sagas and consumers use).</summary>
public sealed class KickConsumer : IConsumer<Kick>
{
    public async Task Consume(ConsumeContext<Kick> context)
    {
        var destination = new Uri("queue:reminder");
        await context.ScheduleSend(destination, TimeSpan.FromSeconds(1), new Reminder(context.Message.Id, "from a consumer"));
    }
}
