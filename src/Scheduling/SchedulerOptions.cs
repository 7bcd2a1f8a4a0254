using Microsoft.Extensions.Configuration;

namespace Persisters.Scheduling;

/// <summary>Configuration section <c>Scheduler</c>.</summary>
public sealed class SchedulerOptions
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

    /// <summary>Every problem with these settings, each naming the setting (<c>Scheduler:Name</c>).</summary>
    public IReadOnlyList<string> GetErrors()
    {
        var errors = new List<string>();

        void Fail(string setting, string message) => errors.Add($"{SectionName}:{setting} {message}");

        if (!Enum.IsDefined(Store))
            Fail(nameof(Store), "must be Memory or Database.");
        if (!Enum.IsDefined(Provider))
            Fail(nameof(Provider), "must be Sqlite or MySql.");
        if (Store == SchedulerStore.Database && string.IsNullOrWhiteSpace(ConnectionString))
            Fail(nameof(ConnectionString), "is required when Store is Database.");
        if (string.IsNullOrWhiteSpace(InstanceName))
            Fail(nameof(InstanceName), "must not be empty.");
        else if (InstanceName.Length > 120)
            Fail(nameof(InstanceName), "must be at most 120 characters (SCHED_NAME column).");
        if (string.IsNullOrWhiteSpace(InstanceId))
            Fail(nameof(InstanceId), "must not be empty (use AUTO).");
        if (string.IsNullOrWhiteSpace(QueueName))
            Fail(nameof(QueueName), "must not be empty.");
        else if (QueueName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')))
            Fail(nameof(QueueName), $"'{QueueName}' may contain only letters, digits, '-', '_', '.' and ':'.");
        if (MisfireThreshold < TimeSpan.FromSeconds(1))
            Fail(nameof(MisfireThreshold), "must be at least 00:00:01.");
        if (ClusterCheckinInterval < TimeSpan.FromMilliseconds(500))
            Fail(nameof(ClusterCheckinInterval), "must be at least 00:00:00.5.");
        if (ClusterCheckinMisfireThreshold < TimeSpan.FromMilliseconds(500))
            Fail(nameof(ClusterCheckinMisfireThreshold), "must be at least 00:00:00.5.");
        if (IdleWaitTime < TimeSpan.FromMilliseconds(100) || IdleWaitTime > TimeSpan.FromMinutes(5))
            Fail(nameof(IdleWaitTime), "must be between 00:00:00.1 and 00:05:00.");
        if (ThreadCount is < 1 or > 200)
            Fail(nameof(ThreadCount), "must be between 1 and 200.");
        if (MaxBatchSize < 1 || MaxBatchSize > Math.Max(1, ThreadCount))
            Fail(nameof(MaxBatchSize), "must be between 1 and ThreadCount.");
        if (BatchTriggerAcquisitionFireAheadTimeWindow < TimeSpan.Zero)
            Fail(nameof(BatchTriggerAcquisitionFireAheadTimeWindow), "must not be negative.");
        if (PrefetchCount is < 1 or > 10000)
            Fail(nameof(PrefetchCount), "must be between 1 and 10000.");
        if (ConcurrentMessageLimit is < 1 or > 10000)
            Fail(nameof(ConcurrentMessageLimit), "must be between 1 and 10000.");
        if (MaxSendAttempts is < 1 or > 100)
            Fail(nameof(MaxSendAttempts), "must be between 1 and 100.");
        if (SendRetryDelay < TimeSpan.Zero || SendRetryDelay > TimeSpan.FromHours(1))
            Fail(nameof(SendRetryDelay), "must be between 00:00:00 and 01:00:00.");
        if (CancellationMemory < TimeSpan.Zero)
            Fail(nameof(CancellationMemory), "must not be negative.");
        if (SqliteTakeoverPollInterval < TimeSpan.FromMilliseconds(100))
            Fail(nameof(SqliteTakeoverPollInterval), "must be at least 00:00:00.1.");

        return errors;
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
