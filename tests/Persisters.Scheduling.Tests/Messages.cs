using System.Collections.Concurrent;
using MassTransit;

namespace Persisters.Scheduling.Tests.Messages;

public record Reminder(Guid Id, string Text);

public record Tick(string Name);

public record Kick(Guid Id);

public record Work(Guid Id);

/// <summary>Records every delivery with its headers (per test instance, keyed by message Id).</summary>
public sealed class DeliveryLog
{
    public ConcurrentQueue<(Guid Id, Guid? MessageId, DateTime At, string? Scheduled, string? Token)> Reminders { get; } = new();
    public ConcurrentQueue<(Guid? MessageId, DateTime At)> Ticks { get; } = new();
    public ConcurrentDictionary<Guid, int> WorkAttempts { get; } = new();
    public ConcurrentQueue<(Guid Id, int RedeliveryCount)> WorkDone { get; } = new();

    public int Count(Guid id) => Reminders.Count(r => r.Id == id);
}

public sealed class ReminderConsumer(DeliveryLog log) : IConsumer<Reminder>
{
    public Task Consume(ConsumeContext<Reminder> context)
    {
        log.Reminders.Enqueue((context.Message.Id, context.MessageId, DateTime.UtcNow,
            context.Headers.Get<string>(MessageHeaders.Quartz.Scheduled), context.Headers.Get<string>(MessageHeaders.SchedulingTokenId)));
        return Task.CompletedTask;
    }
}

public sealed class TickConsumer(DeliveryLog log) : IConsumer<Tick>
{
    public Task Consume(ConsumeContext<Tick> context)
    {
        log.Ticks.Enqueue((context.MessageId, DateTime.UtcNow));
        return Task.CompletedTask;
    }
}

/// <summary>Schedules a Reminder from inside a consumer (ConsumeContext.ScheduleSend, the path sagas and consumers use).</summary>
public sealed class KickConsumer : IConsumer<Kick>
{
    public async Task Consume(ConsumeContext<Kick> context)
    {
        var destination = new Uri("queue:reminder");
        await context.ScheduleSend(destination, TimeSpan.FromSeconds(1), new Reminder(context.Message.Id, "from a consumer"));
    }
}

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
