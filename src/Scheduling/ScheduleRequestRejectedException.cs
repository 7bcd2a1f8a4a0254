namespace Persisters.Scheduling;

/// <summary>
/// A schedule request that can never succeed (unknown destination, invalid cron expression, missing payload …).
/// The scheduler endpoint does not retry it: the request moves to the endpoint's error queue with this reason and a
/// <c>Fault&lt;T&gt;</c> is published.
/// </summary>
public sealed class ScheduleRequestRejectedException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}
