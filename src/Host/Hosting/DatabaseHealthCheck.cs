using Microsoft.Extensions.Diagnostics.HealthChecks;
using Persisters.Persistence.Writers;

namespace Persisters.Host.Hosting;

/// <summary>
/// The database round trip behind readiness, probed in the background so that a readiness answer never waits on the
/// database: one <c>SELECT 1</c> at a time, every <see cref="Interval"/>, each given <see cref="Timeout"/>.
/// </summary>
/// <remarks>
/// The database counts as <em>unavailable</em> while the latest probe failed (refused, timed out, errored), while a probe has
/// been waiting longer than <see cref="Timeout"/> (a frozen server accepts the connection and never answers; the probe is not
/// abandoned, so a frozen server never piles up connections), and before the first probe has answered.
/// </remarks>
public sealed class DatabaseProbe(PersistersDatabase database, TimeProvider clock, ILogger<DatabaseProbe> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly object _lock = new();
    private (bool Ok, string Detail, Exception? Error) _last = (false, "not probed yet", null);
    private long? _inFlightSince;
    private bool _probed;

    /// <summary>The state now, from the last probe; no I/O.</summary>
    public (bool Available, string Detail, Exception? Error) Current
    {
        get
        {
            lock (_lock)
            {
                if (_inFlightSince is { } since && clock.GetElapsedTime(since) > Timeout)
                    return (false, $"no answer for {clock.GetElapsedTime(since).TotalSeconds:0.0} s", _last.Error);
                return _last;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            lock (_lock) _inFlightSince = clock.GetTimestamp();
            (bool, string, Exception?) result;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(Timeout);
                await database.PingAsync(timeout.Token);
                result = (true, "answers", null);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                result = (false, $"does not answer: {ex.GetType().Name}: {ex.Message}", ex);
            }
            lock (_lock)
            {
                // The first answer is no change: "answers again" only after a failure was logged.
                if (result.Item1 != _last.Ok && (_probed || !result.Item1)) LogChange(result.Item1, result.Item2);
                _last = result;
                _probed = true;
                _inFlightSince = null;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private void LogChange(bool ok, string detail)
    {
        if (ok) logger.LogInformation("The database answers again");
        else logger.LogWarning("The database is unavailable: {Detail}", detail);
    }
}

/// <summary>Readiness: the database, as <see cref="DatabaseProbe"/> saw it last (answers at once).</summary>
public sealed class DatabaseHealthCheck(DatabaseProbe probe) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (available, detail, error) = probe.Current;
        return Task.FromResult(available ? HealthCheckResult.Healthy($"database {detail}") : HealthCheckResult.Unhealthy($"database {detail}", error));
    }
}
