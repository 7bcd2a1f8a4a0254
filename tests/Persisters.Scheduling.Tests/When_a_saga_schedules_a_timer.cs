using MassTransit;
using Persisters.Scheduling.Tests.Sagas;
using Xunit.Abstractions;

namespace Persisters.Scheduling.Tests;

/// <summary>State-machine Schedule/Unschedule through the durable scheduler.</summary>
public class When_a_saga_schedules_a_timer(ITestOutputHelper output)
{
    private static void AddSaga(IBusRegistrationConfigurator x) => x.AddSagaStateMachine<TimerStateMachine, TimerState>().InMemoryRepository();

    [Fact]
    public async Task Saga_Schedule_fires_through_the_durable_scheduler()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddSaga);
        var saga = bus.Harness.GetSagaStateMachineHarness<TimerStateMachine, TimerState>();
        var id = Guid.NewGuid();

        await bus.Harness.Bus.Publish(new StartTimer(id));

        Assert.NotNull(await saga.Exists(id, m => m.Waiting, TimeSpan.FromSeconds(10)));
        Assert.NotNull(await saga.Exists(id, m => m.TimedOut, TimeSpan.FromSeconds(15)));
        Assert.True(await bus.Harness.Consumed.Any<MassTransit.Scheduling.ScheduleMessage>(), "the saga did not schedule through the scheduler endpoint");
    }

    [Fact]
    public async Task Saga_Unschedule_cancels_the_timer()
    {
        await using var bus = await SchedulerTestBus.Start(output, configure: AddSaga);
        var saga = bus.Harness.GetSagaStateMachineHarness<TimerStateMachine, TimerState>();
        var id = Guid.NewGuid();

        await bus.Harness.Bus.Publish(new StartTimer(id));
        Assert.NotNull(await saga.Exists(id, m => m.Waiting, TimeSpan.FromSeconds(10)));
        await bus.Harness.Bus.Publish(new StopTimer(id));
        Assert.NotNull(await saga.Exists(id, m => m.Cancelled, TimeSpan.FromSeconds(10)));
        Assert.True(await bus.Harness.Consumed.Any<MassTransit.Scheduling.CancelScheduledMessage>(), "Unschedule did not reach the scheduler");

        await Task.Delay(3500); // past the timer's due time
        Assert.False(await bus.Harness.Consumed.Any<TimerExpired>(x => x.Context.Message.Id == id));
    }
}
