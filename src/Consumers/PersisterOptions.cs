using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Persisters.Contracts.Lifecycle;

namespace Persisters.Consumers;

/// <summary>
/// Configuration section <c>Persisters</c>. Each rule names the key it checks; the host adds the section's path
/// (<c>Persisters:Batch:MessageLimit</c>) and the environment form.
/// </summary>
public sealed class PersisterOptions : IValidatableObject
{
    public const string SectionName = "Persisters";

    /// <summary>
    /// How long a stopped experiment keeps taking late events (the reference's 2 days; 0 to 365 days). The experiment lifecycle
    /// finishes an experiment after the same tail: the host gives it this value.
    /// </summary>
    public TimeSpan LateEventTail { get; set; } = LateEventTailBounds.Default;

    /// <summary>Events stamped further than this in the future are skipped (SDK clocks drift; a year ahead is a bug). 0 to 365 days.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long the in-process copy of live experiments and rules is reused before it is read again. 0 to 1 day.</summary>
    public TimeSpan DefinitionsRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Connect the persister endpoints only while something needs them (DWH: a live experiment; OPS: an active
    /// event-rate rule); the default. Off: all four are bound for the process lifetime.
    /// </summary>
    public bool OnDemand { get; set; } = true;

    /// <summary>
    /// With <see cref="OnDemand"/>: how often each host re-reads demand from the database (a lost change message costs at most this).
    /// 1 s to 1 day.
    /// </summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>With <see cref="OnDemand"/>: declare every persister queue once at start (topology only) so events published before the first connect are kept.</summary>
    public bool DeclareQueuesAtStart { get; set; } = true;

    /// <summary>
    /// How long the broker keeps a message in a persister queue (RabbitMQ policy <c>message-ttl</c>, SQS
    /// <c>MessageRetentionPeriod</c>); unset = <see cref="LateEventTail"/>; <c>00:00:00</c> = off (the broker's own retention);
    /// otherwise at least <see cref="LateEventTail"/>.
    /// </summary>
    public TimeSpan? QueueRetention { get; set; }

    /// <summary><see cref="QueueRetention"/>, or <see cref="LateEventTail"/> when unset.</summary>
    public TimeSpan EffectiveQueueRetention => QueueRetention ?? LateEventTail;

    /// <summary>
    /// User attributes larger than this many UTF-8 bytes, as the stored JSON object (text unescaped), are not stored;
    /// the event is skipped as <c>user_data_too_large</c>. 64 KiB; 256 B to 1 MiB.
    /// </summary>
    [Range(256, 1 << 20, ErrorMessage = "must be from {1} to {2}.")]
    public int MaxUserDataBytes { get; set; } = 64 * 1024;

    [Required]
    [ValidateObjectMembers]
    public BatchSettings Batch { get; set; } = new();

    [Required]
    [ValidateObjectMembers]
    public GoalRetrySettings GoalRetry { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Upper bounds keep every duration within what its timer or the experiment's schedule can represent.
        if (LateEventTail < TimeSpan.Zero || LateEventTail > LateEventTailBounds.Max)
        {
            yield return new($"must be from 0 to {LateEventTailBounds.Max:c}.", [nameof(LateEventTail)]);
        }
        if (MaxClockSkew < TimeSpan.Zero || MaxClockSkew > OneYear) yield return new("must be from 0 to 365.00:00:00.", [nameof(MaxClockSkew)]);
        if (DefinitionsRefreshInterval < TimeSpan.Zero || DefinitionsRefreshInterval > OneDay)
        {
            yield return new("must be from 0 to 1.00:00:00.", [nameof(DefinitionsRefreshInterval)]);
        }
        if (ReconcileInterval < TimeSpan.FromSeconds(1) || ReconcileInterval > OneDay)
        {
            yield return new("must be from 00:00:01 to 1.00:00:00.", [nameof(ReconcileInterval)]);
        }
        if (QueueRetention is { } retention && retention != TimeSpan.Zero && retention < LateEventTail)
        {
            yield return new("Persisters:QueueRetention must be 00:00:00 (off) or at least Persisters:LateEventTail.", [nameof(QueueRetention)]);
        }
    }

    internal static readonly TimeSpan OneDay = TimeSpan.FromDays(1);
    internal static readonly TimeSpan OneYear = TimeSpan.FromDays(365);
}

/// <summary>Section <c>Persisters:Batch</c>: how the persisters take messages from the broker.</summary>
public sealed class BatchSettings : IValidatableObject
{
    /// <summary>
    /// Messages per batch (1 to 5000): single events, or envelopes whose events are written in multi-row inserts (rows per
    /// statement: <c>Database:InsertChunkSize</c>), decoded a chunk at a time. The broker's prefetch follows it
    /// (<see cref="MessageLimit"/> × <see cref="ConcurrencyLimit"/>), and prefetched messages are held as received, so it also
    /// bounds the memory of a burst of large envelopes.
    /// </summary>
    [Range(1, 5000, ErrorMessage = "must be from {1} to {2}.")]
    public int MessageLimit { get; set; } = 50;

    /// <summary>How long a partial batch waits for more events; above 0, at most 1 minute.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Batches in flight at once per persister and process.</summary>
    [Range(1, 64, ErrorMessage = "must be from {1} to {2}.")]
    public int ConcurrencyLimit { get; set; } = 2;

    /// <summary>Attempts of a failed batch (database down, deadlock) before its events go to the _error queue.</summary>
    [Range(0, 100, ErrorMessage = "must be from {1} to {2}.")]
    public int RetryLimit { get; set; } = 5;

    /// <summary>
    /// Bytes of message bodies the persisters of one process handle at once (all four together); further messages wait,
    /// undecoded, until earlier batches are written. Bounds memory by the size of a burst, not its shape (README, Performance).
    /// It should hold (<see cref="ConcurrencyLimit"/> + 1) × <see cref="MessageLimit"/> of the usual messages: below that a batch
    /// of envelopes cannot fill and closes on <see cref="TimeLimit"/> instead (the default holds 3 × 50 envelopes of 100 events).
    /// </summary>
    [Range(64 * 1024, 1 << 30, ErrorMessage = "must be from {1} to {2}.")]
    public int InFlightByteLimit { get; set; } = 8 * 1024 * 1024;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TimeLimit <= TimeSpan.Zero || TimeLimit > TimeSpan.FromMinutes(1))
        {
            yield return new("Persisters:Batch:TimeLimit must be above 0 and at most 00:01:00.", [nameof(TimeLimit)]);
        }
    }
}

/// <summary>Section <c>Persisters:GoalRetry</c>: goal events whose user has no stored evaluation yet, parked and tried again.</summary>
public sealed class GoalRetrySettings : IValidatableObject
{
    /// <summary>First wait before a goal event without an evaluation is tried again; doubled per attempt. Above 0, at most 1 day.</summary>
    public TimeSpan InitialInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After this long since the first attempt the goal event is dropped: counted in <c>persisters_events_skipped_total{reason="retry_expired"}</c>
    /// and <c>persisters_goal_retries_total{outcome="expired"}</c>. At least <see cref="InitialInterval"/>, at most 365 days.
    /// </summary>
    public TimeSpan MaxPeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often each host looks for due retries; above 0, at most 1 day.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Parked goal events taken per attempt.</summary>
    [Range(1, 5000, ErrorMessage = "must be from {1} to {2}.")]
    public int BatchSize { get; set; } = 500;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (InitialInterval <= TimeSpan.Zero || InitialInterval > PersisterOptions.OneDay)
        {
            yield return new("Persisters:GoalRetry:InitialInterval must be above 0 and at most 1.00:00:00.", [nameof(InitialInterval)]);
        }
        if (MaxPeriod < InitialInterval || MaxPeriod > PersisterOptions.OneYear)
        {
            yield return new("Persisters:GoalRetry:MaxPeriod must be at least InitialInterval and at most 365.00:00:00.", [nameof(MaxPeriod)]);
        }
        if (PollInterval <= TimeSpan.Zero || PollInterval > PersisterOptions.OneDay)
        {
            yield return new("Persisters:GoalRetry:PollInterval must be above 0 and at most 1.00:00:00.", [nameof(PollInterval)]);
        }
    }
}
