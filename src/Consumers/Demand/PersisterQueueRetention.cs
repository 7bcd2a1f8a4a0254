using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Persisters.Consumers.Diagnostics;

namespace Persisters.Consumers.Demand;

/// <summary>
/// Bounds how long the broker keeps messages in the four persister queues (<see cref="PersisterOptions.EffectiveQueueRetention"/>,
/// by default <see cref="PersisterOptions.LateEventTail"/>), through the transport's
/// <see cref="IReceiveEndpointTopologyDeployer.ApplyRetentionAsync"/>, once the bus has started. A failure (no management API,
/// no permission) is logged as a warning and tried again every <see cref="PersisterOptions.ReconcileInterval"/>; the gauge
/// <c>persisters_queue_retention_seconds</c> shows the bound in force (0 = none applied by this process).
/// </summary>
public sealed class PersisterQueueRetention : IStartStopBusObserver
{
    private readonly IServiceProvider _services;
    private readonly IOptions<PersisterOptions> _options;
    private readonly ILogger<PersisterQueueRetention> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private double _appliedSeconds;

    public PersisterQueueRetention(IServiceProvider services, IOptions<PersisterOptions> options, PersisterMetrics metrics, ILogger<PersisterQueueRetention> logger)
    {
        _services = services;
        _options = options;
        _logger = logger;
        metrics.Meter.CreateObservableGauge("persisters_queue_retention", () => Volatile.Read(ref _appliedSeconds), unit: "s",
            description: "How long the broker keeps a message in a persister queue, as applied by this process (0: not applied).");
    }

    /// <summary>Completes when the bound has been applied (or is off).</summary>
    public Task Applied => _applied.Task;

    private readonly TaskCompletionSource _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Applies the bound now. Throws what the transport threw.</summary>
    public async Task ApplyAsync(CancellationToken ct)
    {
        var retention = _options.Value.EffectiveQueueRetention;
        if (retention <= TimeSpan.Zero)
        {
            _logger.LogInformation("Persisters:QueueRetention is off: the broker's own retention applies to the persister queues");
            _applied.TrySetResult();
            return;
        }
        var deployer = _services.GetRequiredService<IReceiveEndpointTopologyDeployer>();
        var what = await deployer.ApplyRetentionAsync(PersisterQueues.All, retention, ct);
        Volatile.Write(ref _appliedSeconds, retention.TotalSeconds);
        _logger.LogInformation("Persister queue retention {Retention}: {Applied}", retention, what);
        _applied.TrySetResult();
    }

    private async Task RunAsync(Task<BusReady> busReady)
    {
        var ct = _stopping.Token;
        try
        {
            await busReady.WaitAsync(ct);
            while (true)
            {
                try
                {
                    await ApplyAsync(ct);
                    return;
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    var again = _options.Value.ReconcileInterval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : _options.Value.ReconcileInterval;
                    _logger.LogWarning(ex, "The persister queues have no retention bound yet (Persisters:QueueRetention {Retention}); trying again in {Interval}",
                        _options.Value.EffectiveQueueRetention, again);
                    await Task.Delay(again, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "The persister queue retention was not applied: the bus did not start");
        }
    }

    Task IBusObserver.PostStart(IBus bus, Task<BusReady> busReady)
    {
        _ = Task.Run(() => RunAsync(busReady));
        return Task.CompletedTask;
    }

    Task IBusObserver.PreStop(IBus bus)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }
}
