using MassTransit;

namespace Persisters.Consumers.Demand;

/// <summary>
/// A bus observer that acts only after the bus started (<see cref="IBusObserver.PostStart"/>) and before it stops
/// (<see cref="IBusObserver.PreStop"/>): the other bus events are answered here with nothing done.
/// </summary>
internal interface IStartStopBusObserver : IBusObserver
{
    void IBusObserver.PostCreate(IBus bus) { }
    void IBusObserver.CreateFaulted(Exception exception) { }
    Task IBusObserver.PreStart(IBus bus) => Task.CompletedTask;
    Task IBusObserver.StartFaulted(IBus bus, Exception exception) => Task.CompletedTask;
    Task IBusObserver.PostStop(IBus bus) => Task.CompletedTask;
    Task IBusObserver.StopFaulted(IBus bus, Exception exception) => Task.CompletedTask;
}
