using MassTransit;

namespace Persisters.Scheduling.Tests.Messages;

public sealed class TickConsumer(DeliveryLog log) : IConsumer<Tick>
{
    public Task Consume(ConsumeContext<Tick> context)
    {
        log.Ticks.Enqueue((context.MessageId, DateTime.UtcNow));
        return Task.CompletedTask;
    }
}
