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
