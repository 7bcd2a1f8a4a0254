using System.Diagnostics;
using Persisters.Consumers;
using Persisters.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Persisters.IntegrationTests.Chaos;

/// <summary>
/// The bounded chaos suite (issue 11, "keep it fixed"), on private servers it may stop (<see cref="ChaosServers"/>): each
/// scenario ends with exactly the rows computed from what was sent, none lost and none twice. The time to resume is printed,
/// not asserted (bench/ measures speed). The SIGKILL scenario lives in When_events_flow_through_a_broker_into_MariaDb.
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class When_servers_fail_mid_stream(ChaosServers servers, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    [Fact]
    public Task The_database_stopped_for_30_seconds_mid_stream_loses_and_duplicates_nothing() =>
        StreamThroughOutageAsync("database stopped for 30 s", seed: 21, async () =>
        {
            await servers.StopDatabaseAsync();
            await Task.Delay(TimeSpan.FromSeconds(30));
            await servers.StartDatabaseAsync();
        });

    [Fact]
    public Task The_broker_restarted_mid_stream_loses_and_duplicates_nothing() =>
        StreamThroughOutageAsync("broker restarted", seed: 22, async () =>
        {
            await servers.StopBrokerAsync();
            await servers.StartBrokerAsync();
        });

    /// <summary>
    /// A live experiment and rule, 30,000 events published at a steady pace; once a fifth of the rows are stored,
    /// <paramref name="outage"/> runs (and returns when the server is back); then every expected row, exactly.
    /// </summary>
    private async Task StreamThroughOutageAsync(string what, int seed, Func<Task> outage)
    {
        await using var sut = await ServiceUnderTest.CreateAsync(Broker.RabbitMq, servers.Endpoints);
        if (Environment.GetEnvironmentVariable("PERSISTERS_CHAOS_DEBUG") == "1")
        {
            sut.Environment["Logging__LogLevel__MassTransit"] = "Debug";
            sut.Environment["Logging__LogLevel__Persisters"] = "Information";
        }
        var stream = await ChaosStream.CreateAsync(sut, $"chaos-{seed}", 30_000, seed);
        await using var host = await sut.StartHostAsync();

        var publishing = stream.PublishAsync(500, TimeSpan.FromMilliseconds(250));
        await stream.WaitForRowsAsync(stream.Traffic.ExpectedEvaluationRows / 5, Patience);
        var atOutage = await sut.Database.ScalarAsync(stream.RowsSql);
        var down = Stopwatch.StartNew();
        await outage();
        var outageTook = down.Elapsed;
        var back = Stopwatch.StartNew();
        var resumed = await stream.WaitForAllRowsAsync(back, Patience);
        await publishing;

        var restarts = PrometheusText.Parse(await host.GetAsync("/metrics")).Sum("persisters_endpoint_restarts_total");
        if (Environment.GetEnvironmentVariable("PERSISTERS_CHAOS_DEBUG") == "1")
        {
            var log = Path.Combine(Path.GetTempPath(), $"chaos-host-{Guid.NewGuid():N}.log");
            await File.WriteAllTextAsync(log, host.Output);
            output.WriteLine($"host output: {log}");
        }
        output.WriteLine($"{what} ({outageTook.TotalSeconds:0.0} s) at {atOutage} of {stream.Traffic.ExpectedEvaluationRows} rows; " +
            $"all rows stored {resumed.TotalSeconds:0.0} s after it was back; stalled endpoints reconnected: {restarts}");
        Assert.InRange(atOutage, 1, stream.Traffic.ExpectedEvaluationRows - 1);
        try
        {
            await stream.AssertExactAsync();
        }
        catch (Exception)
        {
            using (var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
            {
                var ready = await http.GetAsync($"http://127.0.0.1:{host.Port}/health/ready");
                output.WriteLine($"readiness: {(int)ready.StatusCode} {await ready.Content.ReadAsStringAsync()}");
            }
            var dump = Path.Combine(Path.GetTempPath(), $"chaos-host-{Guid.NewGuid():N}.log");
            await File.WriteAllTextAsync(dump, host.Output);
            output.WriteLine($"host output: {dump}");
            output.WriteLine("host output (last 80 lines but the per-batch skip warnings):\n" + string.Join("\n",
                host.Output.Split('\n').Where(l => !l.Contains(" skipped ") && !l.Contains("EvaluationEventsDwhPersister[0]") && !l.Contains("OpsPersister[0]")).TakeLast(80)));
            throw;
        }
    }

    [Fact]
    public async Task Host_restarts_while_events_wait_in_stopped_queues_take_nothing_and_a_later_experiment_gets_every_event()
    {
        await using var sut = await ServiceUnderTest.CreateAsync(Broker.RabbitMq, servers.Endpoints);
        var stream = await ChaosStream.CreateAsync(sut, "restarts", 6000, seed: 23, seedDefinitions: false);
        var host = await sut.StartHostAsync(); // nothing is live: declares the queues, consumes nothing
        await stream.PublishAsync(500, TimeSpan.Zero);
        var published = stream.Traffic.Evaluations.Count;
        var depths = new List<long>();
        try
        {
            foreach (var kill in new[] { true, true, false })
            {
                if (kill) host.Kill();
                else await host.StopAsync();
                depths.Add(await sut.QueueDepthAsync(PersisterQueues.EvaluationDwh));
                await host.DisposeAsync();
                host = await sut.StartHostAsync();
                await Task.Delay(TimeSpan.FromSeconds(2)); // past the start-up reconcile and declare
            }
            depths.Add(await sut.QueueDepthAsync(PersisterQueues.EvaluationDwh));
            Assert.All(depths, d => Assert.Equal(published, d));

            // An experiment whose window covers the waiting events, created (and so started) through the running host.
            var x = stream.Experiment;
            var watch = Stopwatch.StartNew();
            var create = await sut.RunVerbAsync(host, "experiments", "create", "--environment", x.EnvironmentId, "--feature", x.FeatureId, "--variations", "A,B",
                "--goals", x.GoalIds[0], "--start-at", x.StartAt.ToString(), "--stop-at", x.StopAt.ToString());
            Assert.True(create.ExitCode == 0, create.Output);
            var resumed = await stream.WaitForAllRowsAsync(watch, Patience);
            output.WriteLine($"{published} waiting messages; queue depth after 2 SIGKILL and 1 SIGTERM restarts: {string.Join(", ", depths)}; " +
                $"all {stream.Traffic.ExpectedEvaluationRows} rows stored {resumed.TotalSeconds:0.0} s after the create command");
            await stream.AssertExactAsync(ops: false);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
