using System.ComponentModel.DataAnnotations;
using Persisters.Contracts.Lifecycle;

namespace Persisters.Sagas;

/// <summary>Settings of the experiment lifecycle saga and its endpoint.</summary>
public sealed class ExperimentLifecycleOptions : IValidatableObject
{
    public const string SectionName = "ExperimentLifecycle";
    public const string DefaultEndpointName = "experiment-lifecycle";

    /// <summary>
    /// How long a stopped experiment keeps taking late events before it finishes (whole seconds count). Not a key of this
    /// section: the host sets it from <c>Persisters:LateEventTail</c>, which also decides what the persisters accept.
    /// </summary>
    public TimeSpan LateEventTail { get; set; } = LateEventTailBounds.Default;

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
    public IReadOnlyList<string> GetErrors() => Validate(new ValidationContext(this)).Select(r => r.ErrorMessage!).ToList();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LateEventTail < TimeSpan.Zero || LateEventTail > MaxLateEventTail)
        {
            yield return new($"ExperimentLifecycle:LateEventTail must be from 0 to {MaxLateEventTail.TotalDays:0} days.", [nameof(LateEventTail)]);
        }
        if (string.IsNullOrWhiteSpace(EndpointName)) yield return new("ExperimentLifecycle:EndpointName is required.", [nameof(EndpointName)]);
        if (RetryLimit is < 0 or > 1000) yield return new("ExperimentLifecycle:RetryLimit must be from 0 to 1000.", [nameof(RetryLimit)]);
        if (ConcurrentMessageLimit is < 1 or > 1000) yield return new("ExperimentLifecycle:ConcurrentMessageLimit must be from 1 to 1000.", [nameof(ConcurrentMessageLimit)]);
        if (TimerSweepInterval < TimeSpan.Zero || TimerSweepInterval > TimeSpan.FromDays(1))
        {
            yield return new("ExperimentLifecycle:TimerSweepInterval must be from 0 (off) to 1.00:00:00.", [nameof(TimerSweepInterval)]);
        }
        if (TimerSweepGrace < TimeSpan.Zero) yield return new("ExperimentLifecycle:TimerSweepGrace must not be negative.", [nameof(TimerSweepGrace)]);
    }

    /// <summary>The longest late-event tail: a year (the reference keeps 2 days).</summary>
    public static readonly TimeSpan MaxLateEventTail = LateEventTailBounds.Max;

    internal long LateEventTailSeconds => (long)LateEventTail.TotalSeconds;
}
