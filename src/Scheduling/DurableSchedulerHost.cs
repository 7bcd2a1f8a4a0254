using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Quartz;
using Quartz.Extensibility;

namespace Persisters.Scheduling;

/// <summary>
/// Owns this process's Quartz scheduler: builds it from <see cref="SchedulerOptions" />, starts it once the bus is
/// ready (so no message is fired into a bus that cannot send) and stops it before the bus stops. Registered as a
/// singleton by <c>AddDurableMessageScheduler</c>; the scheduler consumers store triggers through it.
/// </summary>
public sealed class DurableSchedulerHost : IAsyncDisposable
{
    internal static readonly JobKey MessageJobKey = new("scheduled-message", "persisters");
    internal static readonly JobKey TombstoneJobKey = new("cancel-tombstone", "persisters");

    private readonly IServiceProvider _provider;
    private readonly ILogger<DurableSchedulerHost> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private IScheduler? _scheduler;
    private SqliteFiringLease? _lease;
    private Task? _takeover;
    private bool _started;

    public DurableSchedulerHost(SchedulerOptions options, IServiceProvider provider)
    {
        options.Validate();
        Options = options;
        _provider = provider;
        _logger = provider.GetService<ILoggerFactory>()?.CreateLogger<DurableSchedulerHost>() ?? NullLogger<DurableSchedulerHost>.Instance;
    }

    public SchedulerOptions Options { get; }

    /// <summary>True once this process fires triggers (false while it is a SQLite standby or before the bus started).</summary>
    public bool IsFiring => _started && _scheduler is { Status: SchedulerStatus.Running };

    /// <summary>Test seam: called before each send of a due message; throwing simulates a transport failure.</summary>
    internal Func<Uri, Task>? BeforeSend { get; set; }

    /// <summary>The Quartz scheduler (built on first use, not necessarily started).</summary>
    public async ValueTask<IScheduler> GetScheduler(CancellationToken cancellationToken = default)
    {
        if (_scheduler != null)
            return _scheduler;

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_scheduler != null)
                return _scheduler;

            var scheduler = await Build(cancellationToken);
            await EnsureJobs(scheduler, cancellationToken);
            _scheduler = scheduler;
            return scheduler;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Starts firing (called after the bus is ready). On SQLite, only the process holding the firing lease fires; the others keep trying.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var scheduler = await GetScheduler(cancellationToken);

        if (Options.Store == SchedulerStore.Database && Options.Provider == SchedulerDatabaseProvider.Sqlite)
        {
            _lease ??= SqliteFiringLease.Create(Options);
            if (!_lease.TryAcquire())
            {
                _logger.LogInformation(
                    "Scheduler {Name}: another process fires this SQLite database's schedules ({LockFile}); this one accepts schedules and stands by",
                    Options.InstanceName, _lease.LockFilePath);
                _takeover ??= Task.Run(() => TakeOverWhenFree(scheduler));
                return;
            }
        }

        await StartFiring(scheduler, cancellationToken);
    }

    private async Task TakeOverWhenFree(IScheduler scheduler)
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Options.SqliteTakeoverPollInterval, _stopping.Token);
                if (_lease!.TryAcquire())
                {
                    _logger.LogWarning("Scheduler {Name}: took over firing of the SQLite database's schedules", Options.InstanceName);
                    await StartFiring(scheduler, _stopping.Token);
                    return;
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Scheduler {Name}: taking over firing failed; retrying", Options.InstanceName);
            }
        }
    }

    private async Task StartFiring(IScheduler scheduler, CancellationToken cancellationToken)
    {
        await scheduler.Start(cancellationToken);
        _started = true;
        _logger.LogInformation("Scheduler {Name}/{Id} started: store {Store}{Provider}, queue {Queue}", scheduler.SchedulerName,
            scheduler.SchedulerInstanceId, Options.Store, Options.Store == SchedulerStore.Database ? $" ({Options.Provider}{(Options.IsClustered ? ", clustered" : "")})" : "",
            Options.QueueName);
        if (Options.Store == SchedulerStore.Memory)
            _logger.LogWarning("Scheduler {Name} keeps its schedules in memory: they are lost when this process stops, and each process fires only what it accepted",
                Options.InstanceName);
    }

    /// <summary>Stops firing new triggers (called before the bus stops); in-flight sends finish.</summary>
    public async Task StandbyAsync(CancellationToken cancellationToken = default)
    {
        await _stopping.CancelAsync();
        if (_scheduler is { Status: SchedulerStatus.Running })
            await _scheduler.Standby(cancellationToken);
    }

    /// <summary>Shuts Quartz down, waiting for running sends.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _stopping.CancelAsync();
        if (_takeover != null)
            await _takeover;

        var scheduler = _scheduler;
        if (scheduler != null && scheduler.Status is not (SchedulerStatus.Shutdown or SchedulerStatus.ShuttingDown))
            await scheduler.Shutdown(true, cancellationToken);

        _lease?.Dispose();
        _lease = null;
        _started = false;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Scheduler shutdown on dispose failed");
        }

        _stopping.Dispose();
        _gate.Dispose();
    }

    private async Task<IScheduler> Build(CancellationToken cancellationToken)
    {
        var options = Options;
        var loggerFactory = _provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;

        var builder = QuartzSchedulerBuilder.Create(q =>
        {
            q.Services.AddSingleton(loggerFactory);
            q.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));

            q.ConfigureScheduler(s =>
            {
                s.InstanceName = options.InstanceName;
                if (options.InstanceId.Equals("AUTO", StringComparison.OrdinalIgnoreCase))
                    s.GenerateInstanceId = true;
                else
                    s.InstanceId = options.InstanceId;
                s.IdleWaitTime = options.IdleWaitTime;
                s.MaxBatchSize = options.MaxBatchSize;
                s.BatchTriggerAcquisitionFireAheadTimeWindow = options.BatchTriggerAcquisitionFireAheadTimeWindow;
            });
            q.UseDefaultThreadPool(options.ThreadCount);
            q.UseJobFactory(new MessageJobFactory(this, _provider));

            if (options.Store == SchedulerStore.Memory)
            {
                q.UseInMemoryStore(m => m.MisfireThreshold = options.MisfireThreshold);
                return;
            }

            q.UsePersistentStore(store =>
            {
                if (options.Provider == SchedulerDatabaseProvider.MySql)
                {
                    store.UseMySqlConnector(options.ConnectionString!);
                    store.UseClustering(c =>
                    {
                        c.CheckinInterval = options.ClusterCheckinInterval;
                        c.CheckinMisfireThreshold = options.ClusterCheckinMisfireThreshold;
                    });
                }
                else
                {
                    // Quartz refuses its cluster mode on SQLite; SqliteFiringLease lets one process fire instead.
                    store.UseSqlite(options.ConnectionString!);
                }

                store.ConfigureStore(o =>
                {
                    o.TablePrefix = SchedulerOptions.TablePrefix;
                    o.StoreJobDataAsStrings = true;
                    o.MisfireThreshold = options.MisfireThreshold;
                    o.SchemaProvisioning = SchemaProvisioning.Validate;
                    // Inserting a trigger row needs no cluster-wide lock (its key is new); taking TRIGGER_ACCESS for
                    // every schedule serialises acceptance across hosts and against firing. Firing rounds keep Quartz's
                    // defaults: claims are a compare-and-swap per trigger row, so a trigger still fires on one node.
                    o.LockOnInsert = false;
                });
                store.UseSystemTextJsonSerializer();
            });
        });

        return await builder.BuildScheduler(cancellationToken);
    }

    private static async Task EnsureJobs(IScheduler scheduler, CancellationToken cancellationToken)
    {
        // Durable (kept without triggers) and recovery-requesting: a host that dies while sending has its firing
        // re-run by a surviving host (at-least-once; the re-sent message keeps its MessageId).
        var messageJob = JobBuilder.Create<ScheduledMessageJob>()
            .WithIdentity(MessageJobKey)
            .WithDescription("Sends a scheduled MassTransit message")
            .StoreDurably(true)
            .RequestRecovery(true)
            .Build();

        var tombstoneJob = JobBuilder.Create<TombstoneJob>()
            .WithIdentity(TombstoneJobKey)
            .WithDescription("Expires the memory of a cancellation that arrived before its schedule")
            .StoreDurably(true)
            .Build();

        foreach (var job in new[] { messageJob, tombstoneJob })
        {
            if (await scheduler.Exists(job.Key, cancellationToken))
                continue;

            try
            {
                await scheduler.AddJob(job, AddJobOptions.Replacing, cancellationToken);
            }
            catch (ObjectAlreadyExistsException)
            {
                // another host added it first
            }
        }
    }


    private sealed class MessageJobFactory(DurableSchedulerHost host, IServiceProvider provider) : IJobFactory
    {
        private IBus? _bus;

        public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken)
        {
            if (bundle.JobDetail.Key.Equals(TombstoneJobKey))
                return ValueTask.FromResult(new JobScope(new TombstoneJob(), null));

            _bus ??= provider.GetRequiredService<IBus>();
            var job = new ScheduledMessageJob(_bus, host,
                provider.GetService<ILoggerFactory>()?.CreateLogger<ScheduledMessageJob>() ?? NullLogger<ScheduledMessageJob>.Instance);
            return ValueTask.FromResult(new JobScope(job, null));
        }

        public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
