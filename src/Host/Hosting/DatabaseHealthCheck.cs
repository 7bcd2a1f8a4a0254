using Microsoft.Extensions.Diagnostics.HealthChecks;
using Persisters.Persistence.Writers;

namespace Persisters.Host.Hosting;

/// <summary>Ready only while the database answers a round trip.</summary>
public sealed class DatabaseHealthCheck(PersistersDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await database.PingAsync(timeout.Token);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The database does not answer", ex);
        }
    }
}
