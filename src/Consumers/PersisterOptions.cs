using System.ComponentModel.DataAnnotations;

namespace Persisters.Consumers;

/// <summary>Configuration section <c>Persisters</c>.</summary>
public sealed class PersisterOptions
{
    public const string SectionName = "Persisters";

    /// <summary>How long a stopped experiment keeps taking late events (the reference's 2 days).</summary>
    public TimeSpan LateEventTail { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Events stamped further than this in the future are skipped (SDK clocks drift; a year ahead is a bug).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long the in-process copy of live experiments and rules is reused before it is read again.</summary>
    public TimeSpan DefinitionsRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Connect the persister endpoints only while something needs them (DWH: a live experiment; OPS: an active
    /// event-rate rule); the default. Off: all four are bound for the process lifetime.
    /// </summary>
    public bool OnDemand { get; set; } = true;

    /// <summary>With <see cref="OnDemand"/>: how often each host re-reads demand from the database (a lost change message costs at most this).</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>With <see cref="OnDemand"/>: declare every persister queue once at start (topology only) so events published before the first connect are kept.</summary>
    public bool DeclareQueuesAtStart { get; set; } = true;

    /// <summary>
    /// How long the broker keeps a message in a persister queue (RabbitMQ policy <c>message-ttl</c>, SQS
    /// <c>MessageRetentionPeriod</c>); unset = <see cref="LateEventTail"/>; <c>00:00:00</c> = off (the broker's own retention).
    /// </summary>
    public TimeSpan? QueueRetention { get; set; }

    /// <summary><see cref="QueueRetention"/>, or <see cref="LateEventTail"/> when unset.</summary>
    public TimeSpan EffectiveQueueRetention => QueueRetention ?? LateEventTail;

    /// <summary>
    /// User attributes larger than this many UTF-8 bytes, as the stored JSON object (text unescaped), are not stored;
    /// the event is skipped as <c>user_data_too_large</c>. 64 KiB.
    /// </summary>
    [Range(256, 1 << 20)]
    public int MaxUserDataBytes { get; set; } = 64 * 1024;

    [Required]
    public BatchSettings Batch { get; set; } = new();

    [Required]
    public GoalRetrySettings GoalRetry { get; set; } = new();
}

public sealed class BatchSettings
{
    /// <summary>
    /// Messages per batch: single events, or envelopes whose events are written in multi-row inserts of up to
    /// 1,000 rows, decoded a chunk at a time. The broker's prefetch follows it (<see cref="MessageLimit"/> × <see cref="ConcurrencyLimit"/>),
    /// and prefetched messages are held as received, so it also bounds the memory of a burst of large envelopes.
    /// </summary>
    [Range(1, 5000)]
    public int MessageLimit { get; set; } = 50;

    /// <summary>How long a partial batch waits for more events.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Batches in flight at once per persister and process.</summary>
    [Range(1, 64)]
    public int ConcurrencyLimit { get; set; } = 2;

    /// <summary>Attempts of a failed batch (database down, deadlock) before its events go to the _error queue.</summary>
    [Range(0, 100)]
    public int RetryLimit { get; set; } = 5;

    /// <summary>
    /// Bytes of message bodies the persisters of one process handle at once (all four together); further messages wait,
    /// undecoded, until earlier batches are written. Bounds memory by the size of a burst, not its shape (README, Performance).
    /// It should hold (<see cref="ConcurrencyLimit"/> + 1) × <see cref="MessageLimit"/> of the usual messages: below that a batch
    /// of envelopes cannot fill and closes on <see cref="TimeLimit"/> instead (the default holds 3 × 50 envelopes of 100 events).
    /// </summary>
    [Range(64 * 1024, 1 << 30)]
    public int InFlightByteLimit { get; set; } = 8 * 1024 * 1024;
}

public sealed class GoalRetrySettings
{
    /// <summary>First wait before a goal event without an evaluation is tried again.</summary>
    public TimeSpan InitialInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>After this long since the first attempt the goal event is dropped (metric goal_retry_expired).</summary>
    public TimeSpan MaxPeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often each host looks for due retries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Parked goal events taken per attempt.</summary>
    [Range(1, 5000)]
    public int BatchSize { get; set; } = 500;
}
