using MassTransit;

namespace Persisters.Scheduling.Tests.Sagas;

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
