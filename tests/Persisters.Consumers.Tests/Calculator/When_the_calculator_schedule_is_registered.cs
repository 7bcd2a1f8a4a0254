using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Consumers.Calculator;
using Persisters.Contracts;

namespace Persisters.Tests.Calculator;

public sealed class When_the_calculator_schedule_is_registered
{
    private static readonly Uri Scheduler = new("queue:scheduler");

    [Fact]
    public async Task The_bus_start_sends_one_recurring_schedule_with_a_fixed_id_to_the_calculator_queue()
    {
        await using var h = await CalculatorHarness.StartAsync(
            calculator: o =>
            {
                o.Enabled = true;
                o.Interval = TimeSpan.FromMinutes(5);
            },
            bus: x => x.AddMessageScheduler(Scheduler));

        Assert.True(await h.Harness.Sent.Any<ScheduleRecurringMessage>(CalculatorHarness.Patience()));
        var request = Assert.Single(h.Harness.Sent.Select<ScheduleRecurringMessage>()).Context;
        Assert.Equal("scheduler", request.DestinationAddress!.AbsolutePath.Trim('/'));
        Assert.Equal(CalculatorSchedule.ScheduleId, request.Message.Schedule.ScheduleId);
        Assert.Equal(CalculatorSchedule.ScheduleGroup, request.Message.Schedule.ScheduleGroup);
        Assert.Equal("0 0/5 * * * ?", request.Message.Schedule.CronExpression);
        Assert.Equal(MissedEventPolicy.Skip, request.Message.Schedule.MisfirePolicy);
        Assert.Equal(CalculatorQueues.Calculator, request.Message.Destination.AbsolutePath.Trim('/'));
        Assert.Contains(request.Message.PayloadType, t => t.Contains(nameof(RunExperimentCalculations)));
    }

    [Fact]
    public async Task Every_replica_registers_the_same_schedule_so_the_store_keeps_one_trigger()
    {
        await using var h = await CalculatorHarness.StartAsync(calculator: o => o.Enabled = true, bus: x => x.AddMessageScheduler(Scheduler));
        Assert.True(await h.Harness.Sent.Any<ScheduleRecurringMessage>(CalculatorHarness.Patience()));

        // A second replica at start: the same id and group, so Quartz replaces the trigger instead of adding one.
        Assert.True(await h.Provider.GetRequiredService<CalculatorSchedule>().RegisterAsync(CancellationToken.None));

        var requests = h.Harness.Sent.Select<ScheduleRecurringMessage>().Select(m => m.Context.Message.Schedule).ToList();
        Assert.Equal(2, requests.Count);
        Assert.Single(requests.Select(r => (r.ScheduleId, r.ScheduleGroup)).Distinct());
    }

    [Fact]
    public async Task A_disabled_calculator_registers_nothing()
    {
        await using var h = await CalculatorHarness.StartAsync(calculator: o => o.Enabled = false, bus: x => x.AddMessageScheduler(Scheduler));

        Assert.False(await h.Provider.GetRequiredService<CalculatorSchedule>().RegisterAsync(CancellationToken.None));
        Assert.False(await h.Harness.Sent.Any<ScheduleRecurringMessage>());
    }

    [Fact]
    public async Task A_bus_without_a_scheduler_starts_and_registers_nothing()
    {
        await using var h = await CalculatorHarness.StartAsync(calculator: o => o.Enabled = true);

        Assert.False(await h.Provider.GetRequiredService<CalculatorSchedule>().RegisterAsync(CancellationToken.None));
        Assert.False(await h.Harness.Sent.Any<ScheduleRecurringMessage>());
    }
}
