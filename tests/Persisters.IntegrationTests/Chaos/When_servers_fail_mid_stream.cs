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
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_database_stopped_for_30_seconds_mid_stream_loses_and_duplicates_nothing()
    {
        await using var sut = await ServiceUnderTest.CreateAsync(Broker.RabbitMq, servers.Endpoints);
        var stream = await ChaosStream.CreateAsync(sut, "db-stop", 30_000, seed: 21);
        await using var host = await sut.StartHostAsync();

        var publishing = stream.PublishAsync(500, TimeSpan.FromMilliseconds(250));
        await stream.WaitForRowsAsync(stream.Traffic.ExpectedEvaluationRows / 5, Patience);
        var atStop = await sut.Database.ScalarAsync(stream.RowsSql);
        await servers.StopDatabaseAsync();
        var down = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(30));
        await servers.StartDatabaseAsync();
        var outage = down.Elapsed;
        var back = Stopwatch.StartNew();
        var resumed = await stream.WaitForAllRowsAsync(back, Patience);
        await publishing;

        output.WriteLine($"database stopped {outage.TotalSeconds:0.0} s at {atStop} of {stream.Traffic.ExpectedEvaluationRows} rows; " +
            $"all rows stored {resumed.TotalSeconds:0.0} s after it was back");
        Assert.InRange(atStop, 1, stream.Traffic.ExpectedEvaluationRows - 1);
        await stream.AssertExactAsync();
    }

    [Fact]
    public async Task The_broker_restarted_mid_stream_loses_and_duplicates_nothing()
    {
        await using var sut = await ServiceUnderTest.CreateAsync(Broker.RabbitMq, servers.Endpoints);
        var stream = await ChaosStream.CreateAsync(sut, "broker-restart", 30_000, seed: 22);
        await using var host = await sut.StartHostAsync();

        var publishing = stream.PublishAsync(500, TimeSpan.FromMilliseconds(250));
        await stream.WaitForRowsAsync(stream.Traffic.ExpectedEvaluationRows / 5, Patience);
        var atStop = await sut.Database.ScalarAsync(stream.RowsSql);
        var down = Stopwatch.StartNew();
        await servers.StopBrokerAsync();
        await servers.StartBrokerAsync();
        var outage = down.Elapsed;
        var back = Stopwatch.StartNew();
        var resumed = await stream.WaitForAllRowsAsync(back, Patience);
        await publishing;

        output.WriteLine($"broker restarted ({outage.TotalSeconds:0.0} s down and up) at {atStop} of {stream.Traffic.ExpectedEvaluationRows} rows; " +
            $"all rows stored {resumed.TotalSeconds:0.0} s after it was back");
        Assert.InRange(atStop, 1, stream.Traffic.ExpectedEvaluationRows - 1);
        await stream.AssertExactAsync();
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
            var create = await sut.RunVerbAsync("experiments", "create", "--environment", x.EnvironmentId, "--feature", x.FeatureId, "--variations", "A,B",
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
