using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Persisters.Scheduling;

/// <summary>Configuration section <c>Scheduler</c>.</summary>
public sealed class SchedulerOptions : IValidatableObject
{
    public const string SectionName = "Scheduler";

    /// <summary>The table prefix of the Quartz tables; <see cref="QuartzSchema" /> creates them under it.</summary>
    public const string TablePrefix = "qrtz_";

    /// <summary><c>Memory</c> (default, embedded use) or <c>Database</c> (durable, clustered on MySQL/MariaDB).</summary>
    public SchedulerStore Store { get; set; } = SchedulerStore.Memory;

    /// <summary><c>Sqlite</c> or <c>MySql</c> (MariaDB too); used when <see cref="Store" /> is <c>Database</c>.</summary>
    public SchedulerDatabaseProvider Provider { get; set; } = SchedulerDatabaseProvider.Sqlite;

    /// <summary>ADO.NET connection string (Microsoft.Data.Sqlite or MySqlConnector syntax); required for <c>Database</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Quartz scheduler name (SCHED_NAME). Every host of one deployment must use the same name; two deployments
    /// sharing a database must not.
    /// </summary>
    public string InstanceName { get; set; } = "persisters";

    /// <summary>Unique id of this process in the cluster; <c>AUTO</c> (default) makes one from host name and time.</summary>
    public string InstanceId { get; set; } = "AUTO";

    /// <summary>Queue of the scheduler endpoint that receives ScheduleMessage and friends.</summary>
    public string QueueName { get; set; } = "scheduler";

    /// <summary>
    /// A trigger later than this is "misfired" and handled by its misfire policy (one-shot: fire now; recurring: see
    /// README); a trigger late by less simply fires late.
    /// </summary>
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a clustered node writes its heartbeat; a node silent for longer (plus a margin) is taken as dead and its work recovered.</summary>
    /// <remarks>20 s by default: an idle host then writes 3 heartbeats a minute, and a dead host's work is recovered within about 30 s.</remarks>
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Extra time past <see cref="ClusterCheckinInterval" /> before a silent node is declared dead.</summary>
    public TimeSpan ClusterCheckinMisfireThreshold { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest time the firing thread sleeps when it knows of no due trigger; also how soon a host notices a trigger another host wrote.</summary>
    /// <remarks>
    /// 30 s by default (Quartz's own default): a schedule is fired on time by the host that stored it, which wakes its own
    /// firing thread, so this only bounds idle polling (2 store queries a minute) and the SQLite standby case.
    /// </remarks>
    public TimeSpan IdleWaitTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Number of Quartz worker threads (concurrent firings per host).</summary>
    public int ThreadCount { get; set; } = 10;

    /// <summary>Triggers acquired per database round trip (at most <see cref="ThreadCount" />).</summary>
    public int MaxBatchSize { get; set; } = 10;

    /// <summary>How far ahead of their time triggers may be acquired together in one batch.</summary>
    public TimeSpan BatchTriggerAcquisitionFireAheadTimeWindow { get; set; } = TimeSpan.Zero;

    /// <summary>Prefetch of the scheduler endpoint.</summary>
    public int PrefetchCount { get; set; } = 32;

    /// <summary>Concurrent schedule requests handled per host.</summary>
    public int ConcurrentMessageLimit { get; set; } = 16;

    /// <summary>Attempts to send a due message before it is given up (logged as an error); transient failures only.</summary>
    public int MaxSendAttempts { get; set; } = 8;

    /// <summary>Delay before the first retry of a failed send; doubled per attempt up to one minute.</summary>
    public TimeSpan SendRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a cancellation that arrived before its schedule is remembered, so that a ScheduleMessage overtaken by its
    /// CancelScheduledMessage (two hosts consume the scheduler queue) is still dropped.
    /// </summary>
    public TimeSpan CancellationMemory { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>SQLite only: how often a standby process tries to take over firing (see README).</summary>
    public TimeSpan SqliteTakeoverPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The address of the scheduler endpoint, as a short <c>queue:</c> address valid on every transport.</summary>
    public Uri SchedulerAddress => new($"queue:{QueueName}");

    /// <summary>Binds the <c>Scheduler</c> section (or the given section) and validates it.</summary>
    public static SchedulerOptions FromConfiguration(IConfiguration configuration, string sectionName = SectionName)
    {
        var options = new SchedulerOptions();
        configuration.GetSection(sectionName).Bind(options);
        options.Validate();
        return options;
    }

    /// <summary>Every problem with these settings, each naming the setting (<c>Scheduler:Name must be …</c>).</summary>
    public IReadOnlyList<string> GetErrors() =>
        Validate(new ValidationContext(this)).Select(r => $"{SectionName}:{r.MemberNames.First()} {r.ErrorMessage}").ToList();

    /// <summary>The rules of these settings; each result names its key and says the rest (<c>must be …</c>).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Store))
            yield return new ValidationResult("must be Memory or Database.", [nameof(Store)]);
        if (!Enum.IsDefined(Provider))
            yield return new ValidationResult("must be Sqlite or MySql.", [nameof(Provider)]);
        if (Store == SchedulerStore.Database && string.IsNullOrWhiteSpace(ConnectionString))
            yield return new ValidationResult("is required when Store is Database.", [nameof(ConnectionString)]);
        if (string.IsNullOrWhiteSpace(InstanceName))
            yield return new ValidationResult("must not be empty.", [nameof(InstanceName)]);
        else if (InstanceName.Length > 120)
            yield return new ValidationResult("must be at most 120 characters (SCHED_NAME column).", [nameof(InstanceName)]);
        if (string.IsNullOrWhiteSpace(InstanceId))
            yield return new ValidationResult("must not be empty (use AUTO).", [nameof(InstanceId)]);
        if (string.IsNullOrWhiteSpace(QueueName))
            yield return new ValidationResult("must not be empty.", [nameof(QueueName)]);
        else if (QueueName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')))
            yield return new ValidationResult($"'{QueueName}' may contain only letters, digits, '-', '_', '.' and ':'.", [nameof(QueueName)]);
        if (MisfireThreshold < TimeSpan.FromSeconds(1))
            yield return new ValidationResult("must be at least 00:00:01.", [nameof(MisfireThreshold)]);
        if (ClusterCheckinInterval < TimeSpan.FromMilliseconds(500))
            yield return new ValidationResult("must be at least 00:00:00.5.", [nameof(ClusterCheckinInterval)]);
        if (ClusterCheckinMisfireThreshold < TimeSpan.FromMilliseconds(500))
            yield return new ValidationResult("must be at least 00:00:00.5.", [nameof(ClusterCheckinMisfireThreshold)]);
        if (IdleWaitTime < TimeSpan.FromMilliseconds(100) || IdleWaitTime > TimeSpan.FromMinutes(5))
            yield return new ValidationResult("must be between 00:00:00.1 and 00:05:00.", [nameof(IdleWaitTime)]);
        if (ThreadCount is < 1 or > 200)
            yield return new ValidationResult("must be between 1 and 200.", [nameof(ThreadCount)]);
        if (MaxBatchSize < 1 || MaxBatchSize > Math.Max(1, ThreadCount))
            yield return new ValidationResult("must be between 1 and ThreadCount.", [nameof(MaxBatchSize)]);
        if (BatchTriggerAcquisitionFireAheadTimeWindow < TimeSpan.Zero)
            yield return new ValidationResult("must not be negative.", [nameof(BatchTriggerAcquisitionFireAheadTimeWindow)]);
        if (PrefetchCount is < 1 or > 10000)
            yield return new ValidationResult("must be between 1 and 10000.", [nameof(PrefetchCount)]);
        if (ConcurrentMessageLimit is < 1 or > 10000)
            yield return new ValidationResult("must be between 1 and 10000.", [nameof(ConcurrentMessageLimit)]);
        if (MaxSendAttempts is < 1 or > 100)
            yield return new ValidationResult("must be between 1 and 100.", [nameof(MaxSendAttempts)]);
        if (SendRetryDelay < TimeSpan.Zero || SendRetryDelay > TimeSpan.FromHours(1))
            yield return new ValidationResult("must be between 00:00:00 and 01:00:00.", [nameof(SendRetryDelay)]);
        if (CancellationMemory < TimeSpan.Zero)
            yield return new ValidationResult("must not be negative.", [nameof(CancellationMemory)]);
        if (SqliteTakeoverPollInterval < TimeSpan.FromMilliseconds(100))
            yield return new ValidationResult("must be at least 00:00:00.1.", [nameof(SqliteTakeoverPollInterval)]);
    }

    /// <summary>Throws <see cref="InvalidOperationException" /> listing every bad setting.</summary>
    public void Validate()
    {
        var errors = GetErrors();
        if (errors.Count > 0)
            throw new InvalidOperationException("Invalid scheduler configuration: " + string.Join(" ", errors));
    }

    internal bool IsClustered => Store == SchedulerStore.Database && Provider == SchedulerDatabaseProvider.MySql;

    internal SchedulerOptions Clone() => (SchedulerOptions)MemberwiseClone();
}
