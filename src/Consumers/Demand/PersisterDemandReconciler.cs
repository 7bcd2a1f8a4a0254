using Microsoft.Extensions.Hosting;

namespace Persisters.Consumers.Demand;

/// <summary>
/// Runs the controller's periodic reconcile (<c>Persisters:ReconcileInterval</c>) and its stalled-endpoint check (every
/// <see cref="StallCheckInterval"/>) once the bus has started.
/// </summary>
public sealed class PersisterDemandReconciler(PersisterDemandController controller) : BackgroundService
{
    /// <summary>How often connected endpoints are compared with the broker's consumer count (two misses in a row reconnect one).</summary>
    public static readonly TimeSpan StallCheckInterval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(controller.RunPeriodicAsync(stoppingToken), controller.RunStallWatchAsync(StallCheckInterval, stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
