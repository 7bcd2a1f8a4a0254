using System.Reflection;
using MassTransit.Logging;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Persisters.Host.Hosting;

/// <summary>
/// The service defaults every Persisters host shares, in the shape of .NET Aspire's and eShop's ServiceDefaults project:
/// <c>builder.AddServiceDefaults()</c> registers health checks, metrics and (when an OTLP collector is configured) traces;
/// <c>app.MapDefaultEndpoints()</c> maps <c>/health/live</c>, <c>/health/ready</c> and <c>/metrics</c>.
/// </summary>
/// <remarks>
/// <para>Metrics (<see cref="MetricsExport.Meters"/>) are always on and scraped at <c>/metrics</c> (Prometheus text format).</para>
/// <para>Traces and the OTLP export are on only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (environment or any other
/// configuration source; the exporter's other standard <c>OTEL_EXPORTER_OTLP_*</c> variables, such as <c>_PROTOCOL</c> =
/// <c>grpc</c> (default) or <c>http/protobuf</c> and <c>_HEADERS</c>, apply as the OpenTelemetry specification says). Then
/// traces, metrics and logs go to that collector: spans of MassTransit (ActivitySource <c>MassTransit</c> (<see cref="DiagnosticHeaders.DefaultListenerName"/>):
/// send/publish, receive, consume, saga), ASP.NET Core requests (not the health and metrics probes), outgoing HttpClient calls,
/// EF Core commands and MySqlConnector commands (the persisters' multi-row inserts run on the connection, not through EF Core).
/// Unset, no tracer provider exists, so no listener samples an activity: MassTransit and the rest create none and nothing is
/// exported. Resource: <c>service.name</c> = <see cref="ServiceName"/>, <c>service.version</c> = the host assembly's version.</para>
/// </remarks>
public static class ServiceDefaults
{
    /// <summary>The <c>service.name</c> resource attribute of every signal.</summary>
    public const string ServiceName = "persisters";

    /// <summary>The setting that switches traces and the OTLP export on: the collector's address (OpenTelemetry's environment variable).</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>ActivitySources traced besides the instrumentation libraries': MassTransit's and MySqlConnector's.</summary>
    public static readonly string[] TraceSources = [DiagnosticHeaders.DefaultListenerName, "MySqlConnector"];

    /// <summary>The <c>service.version</c> resource attribute: the host assembly's informational version (without the source revision).</summary>
    public static string ServiceVersion { get; } =
        (typeof(ServiceDefaults).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];

    /// <summary>Health checks, metrics and, when <see cref="OtlpEndpointSetting"/> is set, traces and the OTLP export.</summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddPersistersHealth();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(ServiceName, serviceVersion: ServiceVersion))
            .WithMetrics(MetricsExport.Configure);
        if (IsOtlpExportOn(builder.Configuration))
        {
            telemetry.WithTracing(tracing => tracing
                    .AddSource(TraceSources)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddEntityFrameworkCoreInstrumentation())
                .UseOtlpExporter();
        }
        return builder;
    }

    /// <summary><c>/health/live</c>, <c>/health/ready</c> (the checks tagged <c>ready</c>) and <c>/metrics</c>.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.Services.StartMetrics();
        app.MapMetricsEndpoint();
        return app;
    }

    /// <summary>Whether <see cref="OtlpEndpointSetting"/> is set (not blank).</summary>
    public static bool IsOtlpExportOn(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);

    private static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");
}
