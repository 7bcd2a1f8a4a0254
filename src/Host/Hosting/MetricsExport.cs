using OpenTelemetry.Metrics;
using Persisters.Consumers.Diagnostics;

namespace Persisters.Host.Hosting;

/// <summary>
/// <c>/metrics</c>: OpenTelemetry's metrics SDK with its Prometheus exporter (text format). Counters are cumulative for the
/// process lifetime (nothing expires), a counter <c>x</c> is scraped as <c>x_total</c> and a histogram with unit <c>s</c> as
/// <c>x_seconds_bucket/_sum/_count</c>, so the names are exactly the instrument names of <see cref="PersisterMetrics"/>
/// (no meter-name prefix). Meters: <c>Persisters</c>, <c>MassTransit</c>, .NET's <c>System.Runtime</c>, ASP.NET Core's
/// hosting and Kestrel, and MySqlConnector's connection pool.
/// </summary>
/// <remarks>
/// The provider is built before the bus starts (<see cref="StartMetrics"/>), so what is counted at start-up (a backlog taken
/// as soon as an endpoint connects) is on the first scrape too. Traces and the OTLP export join the same SDK (<see cref="ServiceDefaults"/>).
/// </remarks>
public static class MetricsExport
{
    /// <summary>Meters exported on /metrics besides the persisters' own.</summary>
    public static readonly string[] Meters =
    [
        PersisterMetrics.MeterName, "MassTransit", "System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
        "MySqlConnector",
    ];

    /// <summary>The meters and the Prometheus exporter (<see cref="ServiceDefaults.AddServiceDefaults{TBuilder}"/> adds them).</summary>
    public static void Configure(MeterProviderBuilder metrics) => metrics
        .AddMeter(Meters)
        .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);

    /// <summary>Builds the meter provider now (before the bus starts), so no measurement of the start-up is lost.</summary>
    public static void StartMetrics(this IServiceProvider services) => _ = services.GetRequiredService<MeterProvider>();

    public static WebApplication MapMetricsEndpoint(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
