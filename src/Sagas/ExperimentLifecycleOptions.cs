namespace Persisters.Sagas;

/// <summary>Settings of the experiment lifecycle saga and its endpoint.</summary>
public sealed class ExperimentLifecycleOptions
{
    public const string SectionName = "ExperimentLifecycle";
    public const string DefaultEndpointName = "experiment-lifecycle";

    /// <summary>
    /// How long a stopped experiment keeps taking late events before it finishes. Must equal the persisters'
    /// <c>Persisters:LateEventTail</c>, which decides what they accept (whole seconds count).
    /// </summary>
    public TimeSpan LateEventTail { get; set; } = TimeSpan.FromDays(2);

    /// <summary>The saga's queue; commands are sent to <c>queue:{EndpointName}</c>.</summary>
    public string EndpointName { get; set; } = DefaultEndpointName;

    /// <summary>Retries of a command that lost an optimistic-concurrency race or hit a transient database error.</summary>
    public int RetryLimit { get; set; } = 20;

    /// <summary>Commands and timers processed at once per process (different experiments, or races retried).</summary>
    public int ConcurrentMessageLimit { get; set; } = 8;

    /// <summary>How often each host looks for overdue timers (see <see cref="ExperimentTimerSweeper"/>); zero turns the sweep off.</summary>
    public TimeSpan TimerSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How late a timer must be before the sweep sends it again, so the scheduler normally wins.</summary>
    public TimeSpan TimerSweepGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Names each bad setting; empty when valid.</summary>
    public IReadOnlyList<string> GetErrors()
    {
        var errors = new List<string>();
        if (LateEventTail < TimeSpan.Zero || LateEventTail > MaxLateEventTail)
        {
            errors.Add($"ExperimentLifecycle:LateEventTail must be from 0 to {MaxLateEventTail.TotalDays:0} days.");
        }
        if (string.IsNullOrWhiteSpace(EndpointName)) errors.Add("ExperimentLifecycle:EndpointName is required.");
        if (RetryLimit is < 0 or > 1000) errors.Add("ExperimentLifecycle:RetryLimit must be from 0 to 1000.");
        if (ConcurrentMessageLimit is < 1 or > 1000) errors.Add("ExperimentLifecycle:ConcurrentMessageLimit must be from 1 to 1000.");
        if (TimerSweepInterval < TimeSpan.Zero || TimerSweepInterval > TimeSpan.FromDays(1))
        {
            errors.Add("ExperimentLifecycle:TimerSweepInterval must be from 0 (off) to 1.00:00:00.");
        }
        if (TimerSweepGrace < TimeSpan.Zero) errors.Add("ExperimentLifecycle:TimerSweepGrace must not be negative.");
        return errors;
    }

    /// <summary>The longest late-event tail: a year (the reference keeps 2 days).</summary>
    public static readonly TimeSpan MaxLateEventTail = TimeSpan.FromDays(365);

    internal long LateEventTailSeconds => (long)LateEventTail.TotalSeconds;
}
