using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using Persisters.Contracts;
using Persisters.Host.Cli;
using Persisters.Host.Hosting;
using Persisters.IntegrationTests.Support;
using Persisters.Persistence;
using Xunit.Abstractions;

namespace Persisters.IntegrationTests.Tracing;

/// <summary>
/// Issue 12, item 5: with OTEL_EXPORTER_OTLP_ENDPOINT set, the service's composition (settings, persisters, bus, service defaults) on
/// MariaDB exports one evaluation event's trace to an OTLP/HTTP collector (<see cref="OtlpReceiver"/>): its publish, receive and
/// consume spans and the insert into evaluation_event, all under one trace id.
/// </summary>
public sealed class When_an_evaluation_event_is_traced(ITestOutputHelper output)
{
    [Fact]
    public async Task Its_publish_receive_consume_and_insert_spans_reach_the_collector_under_one_trace()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var database = await TestDatabase.MariaDbAsync();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production",
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "MySql",
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Persisters:OnDemand"] = "false",
            ["Persisters:DefinitionsRefreshInterval"] = "00:00:00",
            ["Persisters:Batch:TimeLimit"] = "00:00:00.050",
            ["Calculator:Enabled"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            // The names of OpenTelemetry's environment variables: configuration is where the host reads them from.
            [ServiceDefaults.OtlpEndpointSetting] = collector.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        });
        var settings = builder.AddPersistersSettings();
        builder.AddPersistersServices(settings, withPersisters: true);
        builder.AddServiceDefaults();
        using var host = builder.Build();
        await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        await host.StartAsync();
        try
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var experiment = SyntheticTraffic.Experiment("it-trace", Guid.NewGuid().ToString("N")[..8], now);
            Assert.Equal(PersistersCommandLine.Done, await VerbHost.CreateRunningExperimentAsync(host.Services, experiment, TimeSpan.FromSeconds(30), CancellationToken.None));
            var evaluation = new EvaluationEvent
            {
                Id = "traced-1", EnvironmentId = experiment.EnvironmentId, Timestamp = now - 10, FeatureId = experiment.FeatureId,
                FeatureVersion = experiment.FeatureVersion, UserId = "user-1", VariationId = "A", Reason = ReasonType.Rule, SourceId = SourceId.GoServer,
            };
            await host.Services.GetRequiredService<MassTransit.IBus>().Publish(evaluation);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (await database.ScalarAsync("SELECT COUNT(*) FROM evaluation_event WHERE id = 'traced-1'") == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            Assert.Equal(1, await database.ScalarAsync("SELECT COUNT(*) FROM evaluation_event WHERE id = 'traced-1'"));

            // The insert's span ends before the consume span; the batch processor exports what ended at each flush.
            List<ReceivedSpan> trace = [];
            ReceivedSpan? insert = null;
            for (var attempt = 0; attempt < 50; attempt++)
            {
                host.Services.GetRequiredService<TracerProvider>().ForceFlush();
                insert ??= collector.Spans.FirstOrDefault(s => s.Scope == "MySqlConnector" && s.Attributes.Values.Any(v => v.Contains("INSERT") && v.Contains("evaluation_event")));
                if (insert is not null)
                {
                    trace = [.. collector.Spans.Where(s => s.TraceId == insert.TraceId)];
                    if (trace.Any(s => s.Kind == ReceivedSpan.Producer) && trace.Count(s => s.Kind == ReceivedSpan.Consumer) >= 2) break;
                }
                await Task.Delay(200);
            }
            output.WriteLine(string.Join("\n", trace));
            Assert.NotNull(insert);
            Assert.All(collector.Spans, s => Assert.Equal(ServiceDefaults.ServiceName, s.Service));

            // One trace from the publish (its root) to the insert, in MassTransit's span names (OpenTelemetry's messaging conventions:
            // "send" for the publish, "receive" and "process" for each queue the event fans out to) and the database client's:
            // publish -> evaluation-events-dwh receive -> process (the message) -> process (the batch) -> EF Core / MySqlConnector -> INSERT.
            var publish = Assert.Single(trace, s => s.Kind == ReceivedSpan.Producer && s.Scope == "MassTransit");
            Assert.Equal("", publish.ParentSpanId);
            Assert.Contains(nameof(EvaluationEvent), publish.Name);
            var receive = Assert.Single(trace, s => s.Kind == ReceivedSpan.Consumer && s.Name == $"{Consumers.PersisterQueues.EvaluationDwh} receive");
            Assert.Equal(publish.SpanId, receive.ParentSpanId);
            var consume = Assert.Single(trace, s => s.Name == $"{Consumers.PersisterQueues.EvaluationDwh} process" && s.ParentSpanId == receive.SpanId);
            var ancestors = Ancestors(trace, insert);
            Assert.Contains(consume.SpanId, ancestors);
            Assert.Contains(receive.SpanId, ancestors);
            Assert.Equal(publish.SpanId, ancestors[^1]);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static List<string> Ancestors(List<ReceivedSpan> trace, ReceivedSpan span)
    {
        var byId = trace.ToDictionary(s => s.SpanId);
        var result = new List<string>();
        for (var parent = span.ParentSpanId; parent.Length > 0 && byId.TryGetValue(parent, out var p); parent = p.ParentSpanId) result.Add(parent);
        return result;
    }
}
