using MassTransit;
using MassTransit.Scheduling;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Persisters.Scheduling.Tests.Messages;
using Xunit.Abstractions;

namespace Persisters.Scheduling.Tests;

/// <summary>The scheduler on the test harness (in-memory transport, Quartz RAM store).</summary>
public class When_messages_are_scheduled_on_the_test_harness(ITestOutputHelper output)
{
    private static readonly Uri ReminderQueue = new("queue:reminder");
    private static readonly Uri TickQueue = new("queue:tick");

    private static void AddReceivers(IBusRegistrationConfigurator x)
    {
        x.AddSingleton<DeliveryLog>();
        x.AddConsumer<ReminderConsumer>().Endpoint(e => e.Name = "reminder");
        x.AddConsumer<TickConsumer>().Endpoint(e => e.Name = "tick");
        x.AddConsumer<KickConsumer>().Endpoint(e => e.Name = "kick");
    }

    [Fact]
    public async Task Scheduled_message_is_delivered_once_not_before_its_time_with_the_scheduling_token()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddReceivers);
        var log = bus.Provider.GetRequiredService<DeliveryLog>();
        var scheduler = bus.Harness.Scope.ServiceProvider.GetRequiredService<IMessageScheduler>();

        var id = Guid.NewGuid();
        var requestedAt = DateTime.UtcNow;
        var scheduled = await scheduler.ScheduleSend(ReminderQueue, requestedAt.AddSeconds(2), new Reminder(id, "hello"));

        Assert.True(await Wait.Until(() => log.Count(id) == 1, TimeSpan.FromSeconds(15)), "the reminder was not delivered");
        var delivery = log.Reminders.Single(r => r.Id == id);
        Assert.True(delivery.At >= requestedAt.AddSeconds(2).AddMilliseconds(-50), $"delivered early: {delivery.At:O} for {requestedAt.AddSeconds(2):O}");
        Assert.Equal(scheduled.TokenId, Guid.Parse(delivery.Token!));
        Assert.NotNull(delivery.Scheduled);

        await Task.Delay(1500);
        Assert.Equal(1, log.Count(id));
    }

    [Fact]
    public async Task ScheduleSend_from_a_consumer_goes_through_the_scheduler_queue()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddReceivers);
        var log = bus.Provider.GetRequiredService<DeliveryLog>();

        var id = Guid.NewGuid();
        await bus.Harness.Bus.Publish(new Kick(id));

        Assert.True(await Wait.Until(() => log.Count(id) == 1, TimeSpan.FromSeconds(15)), "the reminder scheduled by a consumer was not delivered");
        Assert.True(await bus.Harness.Consumed.Any<ScheduleMessage>(), "the consumer's ScheduleSend did not reach the scheduler endpoint");
    }

    [Fact]
    public async Task Cancelled_message_is_not_delivered()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddReceivers);
        var log = bus.Provider.GetRequiredService<DeliveryLog>();
        var scheduler = bus.Harness.Scope.ServiceProvider.GetRequiredService<IMessageScheduler>();

        var cancelled = Guid.NewGuid();
        var kept = Guid.NewGuid();
        var handle = await scheduler.ScheduleSend(ReminderQueue, DateTime.UtcNow.AddSeconds(2), new Reminder(cancelled, "cancel me"));
        await scheduler.ScheduleSend(ReminderQueue, DateTime.UtcNow.AddSeconds(2), new Reminder(kept, "keep me"));
        await scheduler.CancelScheduledSend(ReminderQueue, handle.TokenId);

        Assert.True(await Wait.Until(() => log.Count(kept) == 1, TimeSpan.FromSeconds(15)), "the kept reminder was not delivered");
        await Task.Delay(1000);
        Assert.Equal(0, log.Count(cancelled));
    }

    [Fact]
    public async Task Cancellation_that_overtakes_its_schedule_still_wins()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddReceivers);
        var log = bus.Provider.GetRequiredService<DeliveryLog>();
        var endpoint = await bus.Harness.Bus.GetSendEndpoint(bus.Host.Options.SchedulerAddress);

        var token = Guid.NewGuid();
        var id = Guid.NewGuid();
        // the cancellation is consumed first (as can happen when two hosts consume the scheduler queue)
        await endpoint.Send<CancelScheduledMessage>(new { CorrelationId = Guid.NewGuid(), Timestamp = DateTime.UtcNow, TokenId = token });
        Assert.True(await bus.Harness.Consumed.Any<CancelScheduledMessage>(m => m.Context.Message.TokenId == token));
        await endpoint.Send<ScheduleMessage>(new ScheduleMessageCommand<Reminder>(DateTime.UtcNow.AddMilliseconds(200), new Uri("queue:reminder"),
            new Reminder(id, "too late"), token));
        Assert.True(await bus.Harness.Consumed.Any<ScheduleMessage>(m => m.Context.Message.CorrelationId == token));

        await Task.Delay(2500);
        Assert.Equal(0, log.Count(id));
        Assert.True(bus.Logs.Contains(LogLevel.Information, "cancelled before it arrived"));
    }

    [Fact]
    public async Task Scheduling_the_same_token_again_replaces_the_earlier_schedule()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddReceivers);
        var log = bus.Provider.GetRequiredService<DeliveryLog>();
        var endpoint = await bus.Harness.Bus.GetSendEndpoint(bus.Host.Options.SchedulerAddress);
        var token = Guid.NewGuid();
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();

        await endpoint.Send<ScheduleMessage>(new ScheduleMessageCommand<Reminder>(DateTime.UtcNow.AddSeconds(2), ReminderQueue, new Reminder(first, "1"), token));
        Assert.True(await bus.Harness.Consumed.Any<ScheduleMessage>(m => m.Context.Message.CorrelationId == token));
        await endpoint.Send<ScheduleMessage>(new ScheduleMessageCommand<Reminder>(DateTime.UtcNow.AddSeconds(1), ReminderQueue, new Reminder(second, "2"), token));

        Assert.True(await Wait.Until(() => log.Count(second) == 1, TimeSpan.FromSeconds(10)), "the replacing schedule was not delivered");
        await Task.Delay(2500);
        Assert.Equal(0, log.Count(first));
        Assert.Equal(1, log.Count(second));
    }

    [Fact]
    public async Task Schedule_in_the_past_fires_at_once()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddReceivers);
        var log = bus.Provider.GetRequiredService<DeliveryLog>();
        var scheduler = bus.Harness.Scope.ServiceProvider.GetRequiredService<IMessageScheduler>();

        var id = Guid.NewGuid();
        // far beyond the misfire threshold (2 s here), so it does not wait for the misfire handler either
        await scheduler.ScheduleSend(ReminderQueue, DateTime.UtcNow.AddHours(-1), new Reminder(id, "late"));

        Assert.True(await Wait.Until(() => log.Count(id) == 1, TimeSpan.FromSeconds(10)), "a schedule in the past was not delivered");
        var delivery = log.Reminders.Single(r => r.Id == id);
        Assert.True(DateTime.Parse(delivery.Scheduled!, null, System.Globalization.DateTimeStyles.RoundtripKind) < DateTime.UtcNow.AddMinutes(-59));
    }

    [Fact]
    public async Task Recurring_schedule_fires_each_interval_pauses_resumes_and_stops_when_cancelled()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddReceivers);
        var log = bus.Provider.GetRequiredService<DeliveryLog>();
        var recurring = bus.Harness.Scope.ServiceProvider.GetRequiredService<IRecurringMessageScheduler>();

        var schedule = new EverySecond($"tick-{Guid.NewGuid():N}");
        await recurring.ScheduleRecurringSend(TickQueue, schedule, new Tick("t"));

        Assert.True(await Wait.Until(() => log.Ticks.Count >= 3, TimeSpan.FromSeconds(15)), $"only {log.Ticks.Count} ticks");
        var ids = log.Ticks.Select(t => t.MessageId).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());

        await recurring.PauseScheduledRecurringSend(schedule.ScheduleId, schedule.ScheduleGroup);
        await Task.Delay(1500);
        var whilePaused = log.Ticks.Count;
        await Task.Delay(2000);
        Assert.Equal(whilePaused, log.Ticks.Count);

        await recurring.ResumeScheduledRecurringSend(schedule.ScheduleId, schedule.ScheduleGroup);
        Assert.True(await Wait.Until(() => log.Ticks.Count > whilePaused, TimeSpan.FromSeconds(10)), "no tick after resume");

        await recurring.CancelScheduledRecurringSend(schedule.ScheduleId, schedule.ScheduleGroup);
        await Task.Delay(1500);
        var afterCancel = log.Ticks.Count;
        await Task.Delay(2000);
        Assert.Equal(afterCancel, log.Ticks.Count);
    }

    [Fact]
    public async Task Unknown_destination_is_rejected_once_with_a_logged_reason()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddReceivers);
        var endpoint = await bus.Harness.Bus.GetSendEndpoint(bus.Host.Options.SchedulerAddress);
        var token = Guid.NewGuid();

        await endpoint.Send<ScheduleMessage>(new ScheduleMessageCommand<Reminder>(DateTime.UtcNow, new Uri("nowhere://host/queue"),
            new Reminder(Guid.NewGuid(), "x"), token));

        Assert.True(await bus.Harness.Published.Any<Fault<ScheduleMessage>>(f => f.Context.Message.Message.CorrelationId == token),
            "no fault for an unknown destination");
        var fault = bus.Harness.Published.Select<Fault<ScheduleMessage>>(f => f.Context.Message.Message.CorrelationId == token).First();
        Assert.Contains("unknown", fault.Context.Message.Exceptions[0].Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(bus.Logs.Contains(LogLevel.Warning, "nowhere://host/queue"), "the reason was not logged");

        // not retried: the consumer saw it exactly once
        await Task.Delay(1000);
        Assert.Single(bus.Harness.Consumed.Select<ScheduleMessage>(m => m.Context.Message.CorrelationId == token));
    }

    [Fact]
    public async Task Missing_payload_is_rejected()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddReceivers);
        var endpoint = await bus.Harness.Bus.GetSendEndpoint(bus.Host.Options.SchedulerAddress);
        var token = Guid.NewGuid();

        await endpoint.Send<ScheduleMessage>(new
        {
            CorrelationId = token,
            ScheduledTime = DateTime.UtcNow,
            PayloadType = new[] { "urn:message:Persisters.Scheduling.Tests.Messages:Reminder" },
            Destination = ReminderQueue,
        });

        Assert.True(await bus.Harness.Published.Any<Fault<ScheduleMessage>>(f => f.Context.Message.Message.CorrelationId == token));
        var fault = bus.Harness.Published.Select<Fault<ScheduleMessage>>(f => f.Context.Message.Message.CorrelationId == token).First();
        Assert.Contains("Payload is missing", fault.Context.Message.Exceptions[0].Message);
        Assert.True(bus.Logs.Contains(LogLevel.Warning, "Payload is missing"));
        await Task.Delay(500);
        Assert.Single(bus.Harness.Consumed.Select<ScheduleMessage>(m => m.Context.Message.CorrelationId == token));
    }

    [Fact]
    public async Task Invalid_cron_expression_is_rejected()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddReceivers);
        var recurring = bus.Harness.Scope.ServiceProvider.GetRequiredService<IRecurringMessageScheduler>();

        var schedule = new BadCron();
        await recurring.ScheduleRecurringSend(TickQueue, schedule, new Tick("never"));

        Assert.True(await bus.Harness.Published.Any<Fault<ScheduleRecurringMessage>>(), "no fault for an invalid cron expression");
        var fault = bus.Harness.Published.Select<Fault<ScheduleRecurringMessage>>().First();
        Assert.Contains("not a valid Quartz cron expression", fault.Context.Message.Exceptions[0].Message);
        Assert.True(bus.Logs.Contains(LogLevel.Warning, "every blue moon"));
        await Task.Delay(500);
        Assert.Single(bus.Harness.Consumed.Select<ScheduleRecurringMessage>());
    }

    [Fact]
    public async Task Failed_send_is_retried_by_the_scheduler_and_delivered_once()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddReceivers);
        var log = bus.Provider.GetRequiredService<DeliveryLog>();
        var failures = 0;
        bus.Host.BeforeSend = _ => Interlocked.Increment(ref failures) <= 2 ? throw new IOException("broker unreachable (simulated)") : Task.CompletedTask;
        var scheduler = bus.Harness.Scope.ServiceProvider.GetRequiredService<IMessageScheduler>();

        var id = Guid.NewGuid();
        await scheduler.ScheduleSend(ReminderQueue, DateTime.UtcNow.AddMilliseconds(300), new Reminder(id, "retry me"));

        Assert.True(await Wait.Until(() => log.Count(id) == 1, TimeSpan.FromSeconds(20)), $"not delivered after {failures} attempts");
        Assert.Equal(3, failures);
        await Task.Delay(1500);
        Assert.Equal(1, log.Count(id));
        Assert.True(bus.Logs.Contains(LogLevel.Warning, "will be retried"));
    }

    [Fact]
    public async Task Scheduled_redelivery_goes_through_the_scheduler()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: x =>
        {
            x.AddSingleton<DeliveryLog>();
            x.AddConsumer<FlakyWorkConsumer>(c => c.UseScheduledRedelivery(r => r.Intervals(200, 200, 200))).Endpoint(e => e.Name = "work");
        });
        var log = bus.Provider.GetRequiredService<DeliveryLog>();

        var id = Guid.NewGuid();
        await bus.Harness.Bus.Publish(new Work(id));

        Assert.True(await Wait.Until(() => log.WorkDone.Any(w => w.Id == id), TimeSpan.FromSeconds(20)), "the redelivered message never succeeded");
        Assert.Equal(3, log.WorkAttempts[id]);
        Assert.Equal(2, log.WorkDone.Single(w => w.Id == id).RedeliveryCount);
        Assert.True(bus.Harness.Consumed.Select<ScheduleMessage>().Count() >= 2, "redeliveries did not go through the scheduler endpoint");
    }

    [Fact]
    public void Options_validation_names_the_bad_setting()
    {
        var options = new SchedulerOptions { Store = SchedulerStore.Database, ThreadCount = 0, QueueName = "bad queue" };
        var errors = options.GetErrors();
        Assert.Contains(errors, e => e.StartsWith("Scheduler:ConnectionString"));
        Assert.Contains(errors, e => e.StartsWith("Scheduler:ThreadCount"));
        Assert.Contains(errors, e => e.StartsWith("Scheduler:QueueName"));
        var ex = Assert.Throws<InvalidOperationException>(options.Validate);
        Assert.Contains("Scheduler:ThreadCount", ex.Message);
        Assert.Empty(SchedulerTestBus.FastMemoryOptions().GetErrors());
    }


    private sealed class EverySecond : DefaultRecurringSchedule
    {
        public EverySecond(string id)
        {
            ScheduleId = id;
            ScheduleGroup = "tests";
            CronExpression = "* * * * * ?";
            TimeZoneId = "UTC";
            StartTime = DateTimeOffset.UtcNow;
            MisfirePolicy = MissedEventPolicy.Skip;
        }
    }


    private sealed class BadCron : DefaultRecurringSchedule
    {
        public BadCron()
        {
            ScheduleId = "bad-cron";
            CronExpression = "every blue moon";
            TimeZoneId = "UTC";
        }
    }
}
