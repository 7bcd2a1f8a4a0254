using Microsoft.Extensions.Diagnostics.HealthChecks;
using Persisters.Consumers.Demand;

namespace Persisters.Host.Hosting;

/// <summary>
/// On-demand mode: not ready until the demand controller has read demand once and connected what it needs (and declared
/// the persister queues), so a ready host never loses events to a queue that does not exist yet.
/// </summary>
public sealed class PersisterDemandHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var controller = services.GetService<PersisterDemandController>();
        var result = controller is null || controller.HasReconciled
            ? HealthCheckResult.Healthy(controller is null ? "persister endpoints are always connected" : $"connected: {string.Join(", ", controller.ConnectedEndpoints)}")
            : HealthCheckResult.Unhealthy("persister demand not read yet");
        return Task.FromResult(result);
    }
}
