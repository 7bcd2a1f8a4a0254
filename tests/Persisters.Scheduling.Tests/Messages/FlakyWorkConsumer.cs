using MassTransit;

namespace Persisters.Scheduling.Tests.Messages;

/// <summary>Fails the first two attempts; scheduled redelivery brings it back through the scheduler.</summary>
public sealed class FlakyWorkConsumer(DeliveryLog log) : IConsumer<Work>
{
    public Task Consume(ConsumeContext<Work> context)
    {
        var attempt = log.WorkAttempts.AddOrUpdate(context.Message.Id, 1, (_, n) => n + 1);
        if (attempt < 3)
            throw new InvalidOperationException($"attempt {attempt} fails on purpose");
        log.WorkDone.Enqueue((context.Message.Id, context.GetRedeliveryCount()));
        return Task.CompletedTask;
    }
}
