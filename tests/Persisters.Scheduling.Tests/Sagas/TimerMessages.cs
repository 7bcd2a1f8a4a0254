namespace Persisters.Scheduling.Tests.Sagas;

public record StartTimer(Guid Id);

public record StopTimer(Guid Id);

public record TimerExpired(Guid Id);
