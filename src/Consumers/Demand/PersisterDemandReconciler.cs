using Microsoft.Extensions.Hosting;

namespace Persisters.Consumers.Demand;

/// <summary>Runs the controller's periodic reconcile (<c>Persisters:ReconcileInterval</c>) once the bus has started.</summary>
public sealed class PersisterDemandReconciler(PersisterDemandController controller) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await controller.RunPeriodicAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
