using MassTransit;
using Persisters.Consumers;
using Persisters.Contracts;
using Persisters.IntegrationTests.Support;
using Xunit.Abstractions;

namespace Persisters.IntegrationTests;

/// <summary>
/// Issue 11, item 7: the persister queues get a retention bound by default, applied by the broker to existing queues
/// too. The queue is first declared as the previous version did (a plain MassTransit endpoint, no queue arguments); the
/// new host starts on it without a redeclare failure, the broker applies the bound, and messages older than it are dropped
/// while younger ones stay. Bounds are short here (RabbitMQ and Service Bus 5 s; SQS 60 s, its minimum). On Service Bus the
/// bound applies to messages enqueued after the host set it (Service Bus fixes a message's expiry at enqueue), which is when
/// this test publishes, and expired messages are dropped, not dead-lettered.
/// </summary>
public sealed class When_stopped_queues_are_bounded(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Broker.RabbitMq, 5)]
    [InlineData(Broker.AmazonSqs, 60)]
    [InlineData(Broker.AzureServiceBus, 5)]
    public async Task An_existing_queue_gets_the_bound_and_the_broker_drops_older_messages(Broker broker, int boundSeconds)
    {
        await using var sut = await ServiceUnderTest.CreateAsync(broker);
        var bound = TimeSpan.FromSeconds(boundSeconds);
        sut.Environment["Persisters__LateEventTail"] = bound.ToString();
        sut.Environment["Persisters__QueueRetention"] = bound.ToString();
        const string queue = PersisterQueues.EvaluationDwh;

        // The previous version's queue: declared by a consuming endpoint, without any retention.
        var previous = sut.Bus.ConnectReceiveEndpoint(queue, e => e.Handler<EvaluationEvent>(_ => Task.CompletedTask));
        await previous.Ready;
        await previous.StopAsync();

        await using var host = await sut.StartHostAsync();
        var metrics = PrometheusText.Parse(await WaitForMetricAsync(host, "persisters_queue_retention_seconds", bound.TotalSeconds));
        Assert.Equal(bound.TotalSeconds, metrics.Sum("persisters_queue_retention_seconds"));
        if (broker == Broker.RabbitMq)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            (string? Policy, long? Ttl) policy;
            while ((policy = await sut.VirtualHost.QueuePolicyAsync(queue)).Ttl is null && DateTime.UtcNow < deadline) await Task.Delay(500);
            Assert.Equal("persisters-queue-retention", policy.Policy);
            Assert.Equal((long)bound.TotalMilliseconds, policy.Ttl);
        }
        else
        {
            Assert.Equal(boundSeconds, await sut.QueueRetentionSecondsAsync(queue));
        }

        // Nothing is live: events wait. The older batch outlives the bound, the younger one does not yet.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        List<EvaluationEvent> Batch(string name, int n) => Enumerable.Range(0, n).Select(i => new EvaluationEvent
        {
            Id = $"{name}-{i}", EnvironmentId = "it-retention", Timestamp = now, FeatureId = "bounded", FeatureVersion = 1, UserId = $"u{i}",
        }).ToList();
        var older = Batch("older", 30);
        await sut.PublishAsync(older);
        var started = DateTime.UtcNow;
        await Task.Delay(bound * 0.6);
        var younger = Batch("younger", 10);
        await sut.PublishAsync(younger);
        Assert.Equal(older.Count + younger.Count, await sut.QueueDepthAsync(queue));

        // Past the bound for the older batch only.
        await Task.Delay(started + bound * 1.3 - DateTime.UtcNow);
        var depth = await sut.QueueDepthAsync(queue);
        output.WriteLine($"{broker}: bound {bound}; {older.Count} older + {younger.Count} younger published; depth {depth} at {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
        Assert.Equal(younger.Count, depth);
        if (sut.IsServiceBus)
        {
            var runtime = (await sut.ServiceBusAdministration().GetQueueRuntimePropertiesAsync(sut.ServiceBusPath(queue))).Value;
            Assert.Equal(0, runtime.DeadLetterMessageCount); // dropped, not moved into the dead-letter queue
        }
    }

    private static async Task<string> WaitForMetricAsync(HostProcess host, string name, double expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var text = await host.GetAsync("/metrics");
            if (PrometheusText.Parse(text).Sum(name) == expected || DateTime.UtcNow > deadline) return text;
            await Task.Delay(250);
        }
    }
}
