using MassTransit;

namespace Persisters.Sagas;

internal static class EventActivityBinderExtensions
{
    /// <summary>Appends a named sequence of activities, so shared steps read as one line in the machine.</summary>
    public static EventActivityBinder<TSaga, T> Apply<TSaga, T>(this EventActivityBinder<TSaga, T> binder,
        Func<EventActivityBinder<TSaga, T>, EventActivityBinder<TSaga, T>> steps)
        where TSaga : class, SagaStateMachineInstance
        where T : class => steps(binder);
}
