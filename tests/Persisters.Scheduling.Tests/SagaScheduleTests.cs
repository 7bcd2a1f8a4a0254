using MassTransit;
using MassTransit.Testing;
using Xunit.Abstractions;

namespace Persisters.Scheduling.Tests.Sagas
{
    public record StartTimer(Guid Id);

    public record StopTimer(Guid Id);

    public record TimerExpired(Guid Id);

    public class TimerState : SagaStateMachineInstance
    {
        public Guid CorrelationId { get; set; }
        public string CurrentState { get; set; } = "";
        public Guid? TimeoutToken { get; set; }
    }

    public class TimerStateMachine : MassTransitStateMachine<TimerState>
    {
        public TimerStateMachine()
        {
            InstanceState(x => x.CurrentState);
            Event(() => Started, x => x.CorrelateById(m => m.Message.Id));
            Event(() => Stopped, x => x.CorrelateById(m => m.Message.Id));
            Schedule(() => Timeout, x => x.TimeoutToken, s =>
            {
                s.Delay = TimeSpan.FromSeconds(2);
                s.Received = r => r.CorrelateById(m => m.Message.Id);
            });

            Initially(
                When(Started)
                    .Schedule(Timeout, context => new TimerExpired(context.Saga.CorrelationId))
                    .TransitionTo(Waiting));

            During(Waiting,
                When(Timeout!.Received)
                    .TransitionTo(TimedOut),
                When(Stopped)
                    .Unschedule(Timeout)
                    .TransitionTo(Cancelled));
        }

        public State Waiting { get; private set; } = null!;
        public State TimedOut { get; private set; } = null!;
        public State Cancelled { get; private set; } = null!;

        public Event<StartTimer> Started { get; private set; } = null!;
        public Event<StopTimer> Stopped { get; private set; } = null!;
        public Schedule<TimerState, TimerExpired> Timeout { get; private set; } = null!;
    }
}

namespace Persisters.Scheduling.Tests
{
    using Sagas;

    /// <summary>State-machine Schedule/Unschedule through the durable scheduler.</summary>
    public class SagaScheduleTests(ITestOutputHelper output)
    {
        static void AddSaga(IBusRegistrationConfigurator x) => x.AddSagaStateMachine<TimerStateMachine, TimerState>().InMemoryRepository();

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
}
