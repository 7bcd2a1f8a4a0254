using MassTransit;

namespace Persisters.Scheduling.Tests.Sagas;

public class TimerState : SagaStateMachineInstance
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = "";
    public Guid? TimeoutToken { get; set; }
}
