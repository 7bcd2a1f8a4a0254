using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Persisters.Host.Hosting;

namespace Persisters.Tests.Hosting;

/// <summary>
/// Issue 12, item 5: the service defaults trace only when OTEL_EXPORTER_OTLP_ENDPOINT is set; metrics are always on. Without it no
/// tracer provider exists, so nothing listens to MassTransit's, ASP.NET Core's or the database's activities (none is even created).
/// The export itself is tested end to end in Persisters.IntegrationTests (When_an_evaluation_event_is_traced).
/// </summary>
public sealed class When_telemetry_is_configured
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("http://127.0.0.1:4318", true)]
    public void Traces_are_on_only_with_an_OTLP_endpoint(string? endpoint, bool traced)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [ServiceDefaults.OtlpEndpointSetting] = endpoint });
        builder.AddServiceDefaults();
        using var host = builder.Build();

        Assert.NotNull(host.Services.GetService<MeterProvider>());
        Assert.Equal(traced, host.Services.GetService<TracerProvider>() is not null);
        Assert.Equal(traced, ServiceDefaults.IsOtlpExportOn(builder.Configuration));
    }

    [Fact]
    public void Without_an_endpoint_no_activity_of_MassTransit_is_created()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddServiceDefaults();
        using var host = builder.Build();
        _ = host.Services.GetRequiredService<MeterProvider>();

        using var source = new System.Diagnostics.ActivitySource(MassTransit.Logging.DiagnosticHeaders.DefaultListenerName);
        Assert.False(source.HasListeners());
    }
}
