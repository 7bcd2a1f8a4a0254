using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
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
/// as soon as an endpoint connects) is on the first scrape too. Issue 12's traces and OTLP export join the same SDK.
/// </remarks>
public static class MetricsExport
{
    /// <summary>Meters exported on /metrics besides the persisters' own.</summary>
    public static readonly string[] Meters =
    [
        PersisterMetrics.MeterName, "MassTransit", "System.Runtime", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel",
        "MySqlConnector",
    ];

    public static IServiceCollection AddPersistersMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("persisters"))
            .WithMetrics(metrics => metrics
            .AddMeter(Meters)
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    /// <summary>Builds the meter provider now (before the bus starts), so no measurement of the start-up is lost.</summary>
    public static void StartMetrics(this IServiceProvider services) => _ = services.GetRequiredService<MeterProvider>();

    public static WebApplication MapMetricsEndpoint(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
