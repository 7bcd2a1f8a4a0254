using Persisters.Consumers;
using Persisters.Contracts;
using Persisters.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Persisters.IntegrationTests;

/// <summary>
/// Issue 11, item 1: events wait in a stopped persister queue for an experiment that does not exist yet. Declaring the
/// persister queues at host start must be topology only: the queue depth is the same after every restart, and once an
/// experiment whose window covers the events is live, every one of them is stored.
/// </summary>
public sealed class When_the_host_restarts_while_events_wait(ITestOutputHelper output)
{
    private const int Events = 3000;
    private const int Restarts = 3;

    [Theory]
    [InlineData(Broker.RabbitMq)]
    [InlineData(Broker.AmazonSqs)]
    [InlineData(Broker.AzureServiceBus)]
    public async Task Host_restarts_take_nothing_from_the_stopped_queues_and_a_later_experiment_stores_every_event(Broker broker)
    {
        await using var sut = await ServiceUnderTest.CreateAsync(broker);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var experiment = Host.Cli.SyntheticTraffic.Experiment("it-wait", Guid.NewGuid().ToString("N")[..10], now);
        var events = Enumerable.Range(0, Events).Select(i => new EvaluationEvent
        {
            Id = $"{experiment.FeatureId}-{i}",
            EnvironmentId = experiment.EnvironmentId,
            Timestamp = now - 600 + i % 300,
            FeatureId = experiment.FeatureId,
            FeatureVersion = experiment.FeatureVersion,
            UserId = $"user-{i % 500}",
            VariationId = i % 2 == 0 ? "A" : "B",
            Reason = ReasonType.Rule,
            SourceId = SourceId.GoServer,
        }).ToList();

        // A first start declares the queues; nothing is live, so nothing consumes them.
        var first = await sut.StartHostAsync();
        await first.StopAsync();
        await sut.PublishAsync(events);
        var depths = new List<long> { await WaitForDepthAsync(sut, Events) };

        for (var i = 0; i < Restarts; i++)
        {
            var host = await sut.StartHostAsync();
            await Task.Delay(TimeSpan.FromSeconds(2)); // past the start-up reconcile and declare
            await host.StopAsync();
            await host.DisposeAsync();
            depths.Add(await sut.QueueDepthAsync(PersisterQueues.EvaluationDwh));
        }
        output.WriteLine($"{broker}: {PersisterQueues.EvaluationDwh} depth after each restart: {string.Join(", ", depths)} (published {Events})");
        Assert.All(depths, d => Assert.Equal(Events, d));

        // An experiment whose window covers the waiting events: all of them are stored.
        await sut.SeedAsync(experiment with { StartAt = now - 3600, StopAt = now + 3600 });
        await using var live = await sut.StartHostAsync();
        var rows = await sut.WaitForCountAsync($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'", Events,
            TimeSpan.FromMinutes(2));
        output.WriteLine($"{broker}: stored {rows} of {Events}");
        Assert.Equal(Events, rows);
    }

    private static async Task<long> WaitForDepthAsync(ServiceUnderTest sut, long expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        long depth;
        while ((depth = await sut.QueueDepthAsync(PersisterQueues.EvaluationDwh)) < expected && DateTime.UtcNow < deadline) await Task.Delay(200);
        return depth;
    }
}
