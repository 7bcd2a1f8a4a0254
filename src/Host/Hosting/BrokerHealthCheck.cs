using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Persisters.Host.Hosting;

/// <summary>
/// Readiness: the broker, as the bus sees it now (MassTransit keeps each receive endpoint's state; no I/O here). Replaces
/// MassTransit's own bus check in readiness, which answers <c>Degraded</c> (HTTP 200) while only some endpoints are faulted.
/// </summary>
/// <remarks>
/// The broker counts as <em>unavailable</em> while the bus is not started (starting, stopping, failed to start) or while any
/// receive endpoint is <c>Unhealthy</c>: MassTransit marks an endpoint so when its transport faulted (connection refused or
/// lost, channel closed, topology refused) until it is ready again. All endpoints of a RabbitMQ bus share one connection,
/// so an outage faults them all; a stopped or unreachable broker is seen at once (the connection closes or is refused). The
/// Amazon SQS and Azure Service Bus transports fault an endpoint from a failed receive until a receive succeeds again. A
/// broker that is frozen but keeps its connections open is seen only when the RabbitMQ client gives up on it (not within a
/// minute in tests/Persisters.IntegrationTests); that case is not covered. An endpoint MassTransit reports
/// <c>Degraded</c> has completed (stopped) while still listed; that is not a broker fault, so it is named but not counted.
/// </remarks>
public sealed class BrokerHealthCheck(IBusControl bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = bus.CheckHealth();
        var faulted = health.Endpoints.Where(e => e.Value.Status == BusHealthStatus.Unhealthy).Select(e => Name(e.Key)).ToList();
        var busStarted = health.Status != BusHealthStatus.Unhealthy || faulted.Count > 0;
        if (!busStarted)
            return Task.FromResult(HealthCheckResult.Unhealthy($"broker: bus not started ({health.Description})", health.Exception));
        if (faulted.Count > 0)
            return Task.FromResult(HealthCheckResult.Unhealthy($"broker unavailable: endpoint(s) {string.Join(", ", faulted)} faulted", health.Exception));
        return Task.FromResult(HealthCheckResult.Healthy($"broker: {health.Endpoints.Count} endpoint(s) ready"));
    }

    private static string Name(string address) => address.TrimEnd('/').Split('/')[^1].Split('?')[0];
}
