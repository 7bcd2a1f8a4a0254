using System.Collections.Concurrent;
using Amazon.SQS.Model;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Transports.AmazonSqs.Tests.Messages;
using Persisters.Transports.AmazonSqs.Tests.Support;

namespace Persisters.Transports.AmazonSqs.Tests;

public sealed class BatchRecorder
{
    public ConcurrentQueue<int> BatchSizes { get; } = new();
    public ConcurrentQueue<(int Number, bool Redelivered)> Messages { get; } = new();
    public TimeSpan HoldFirstBatch { get; set; }
    public int Batches;
}

public sealed class PingBatchConsumer(BatchRecorder recorder) : IConsumer<Batch<Ping>>
{
    public async Task Consume(ConsumeContext<Batch<Ping>> context)
    {
        if (Interlocked.Increment(ref recorder.Batches) == 1 && recorder.HoldFirstBatch > TimeSpan.Zero)
            await Task.Delay(recorder.HoldFirstBatch);
        recorder.BatchSizes.Enqueue(context.Message.Length);
        foreach (var item in context.Message)
            recorder.Messages.Enqueue((item.Message.Number, item.ReceiveContext.Redelivered));
    }
}

public sealed class PingConsumer(Collector<Ping> collector) : IConsumer<Ping>
{
    public Task Consume(ConsumeContext<Ping> context)
    {
        collector.Add(context);
        return Task.CompletedTask;
    }
}

public sealed class When_endpoints_run_on_a_container
{
    private static async Task<ServiceProvider> StartBus(string prefix, Action<IBusRegistrationConfigurator> register,
        Action<IBusRegistrationContext, IAmazonSqsBusFactoryConfigurator>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            register(x);
            x.UsingAmazonSqs((context, cfg) =>
            {
                SqsTestServer.ConfigureHost(cfg, prefix);
                configure?.Invoke(context, cfg);
                cfg.ConfigureEndpoints(context);
            });
        });
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IBusControl>().StartAsync(TestContext.Current());
        return provider;
    }

    private static async Task StopBus(ServiceProvider provider)
    {
        await provider.GetRequiredService<IBusControl>().StopAsync(TestContext.Current());
        await provider.DisposeAsync();
    }

    [Fact]
    public async Task A_batch_consumer_gets_batches_and_a_batch_held_past_the_visibility_timeout_is_not_redelivered()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var recorder = new BatchRecorder { HoldFirstBatch = TimeSpan.FromSeconds(6) };
        var provider = await StartBus(prefix, x =>
        {
            x.AddSingleton(recorder);
            x.AddConsumer<PingBatchConsumer>(c => c.Options<BatchOptions>(o => o.SetMessageLimit(10).SetTimeLimit(s: 1).SetConcurrencyLimit(1)))
                .ExcludeFromConfigureEndpoints();
        }, (context, cfg) => cfg.ReceiveEndpoint("batches", e =>
        {
            e.VisibilityTimeout = 2; // the first batch is held for 6 s: three timeouts
            e.ConfigureConsumer<PingBatchConsumer>(context);
        }));
        try
        {
            var endpoint = await provider.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:batches"));
            await endpoint.SendBatch(Enumerable.Range(1, 25).Select(i => new Ping(i)));

            var deadline = DateTime.UtcNow.AddSeconds(45);
            while (recorder.Messages.Count < 25 && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            await Task.Delay(TimeSpan.FromSeconds(5)); // a lost lock would bring messages back within this time

            var numbers = recorder.Messages.Select(m => m.Number).Order().ToList();
            Assert.Equal(Enumerable.Range(1, 25).ToList(), numbers); // each exactly once
            Assert.DoesNotContain(recorder.Messages, m => m.Redelivered);
            Assert.All(recorder.BatchSizes, size => Assert.InRange(size, 1, 10));
            Assert.True(recorder.BatchSizes.Count >= 3, $"batches: {string.Join(",", recorder.BatchSizes)}");
            Assert.True(await SqsTestServer.RequestCount(prefix + "batches", "ChangeMessageVisibilityBatch") >= 1,
                "the visibility of the held batch was never extended");
            Assert.True(await SqsTestServer.RequestCount(prefix + "batches", "DeleteMessageBatch") >= 3);
            Assert.True(await SqsTestServer.RequestCount(prefix + "batches", "SendMessageBatch") >= 1, "25 concurrent sends went out one by one");
        }
        finally
        {
            await StopBus(provider);
        }
    }

    [Fact]
    public async Task A_stopped_dynamic_endpoint_makes_no_receive_calls_and_gets_its_messages_when_reconnected()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var pings = new Collector<Ping>();
        var provider = await StartBus(prefix, x =>
        {
            x.AddSingleton(pings);
            x.AddConsumer<PingConsumer>().ExcludeFromConfigureEndpoints();
        });
        try
        {
            var connector = provider.GetRequiredService<IReceiveEndpointConnector>();
            var bus = provider.GetRequiredService<IBus>();
            var handle = connector.ConnectReceiveEndpoint("dynamic", (context, e) => e.ConfigureConsumer<PingConsumer>(context));
            await handle.Ready.WaitAsync(TimeSpan.FromSeconds(30));

            var endpoint = await bus.GetSendEndpoint(new Uri("queue:dynamic"));
            await endpoint.Send(new Ping(1));
            await endpoint.Send(new Ping(2));
            await pings.WaitFor(2);

            // How fast a stop cancels the 20 s long poll is measured in bench/Persisters.Transports.Bench, not asserted here.
            await handle.StopAsync(TestContext.Current());

            var receivesAtStop = await SqsTestServer.RequestCount(prefix + "dynamic", "ReceiveMessage");
            Assert.True(receivesAtStop > 0);
            await endpoint.Send(new Ping(3));
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.Equal(receivesAtStop, await SqsTestServer.RequestCount(prefix + "dynamic", "ReceiveMessage"));
            Assert.Equal(2, pings.Count);

            var again = connector.ConnectReceiveEndpoint("dynamic", (context, e) => e.ConfigureConsumer<PingConsumer>(context));
            await again.Ready.WaitAsync(TimeSpan.FromSeconds(30));
            // On real SQS a message taken by the long poll that the stop cancelled stays invisible for one visibility
            // timeout (30 s); the test server's wrapper releases it at once (scripts/sqs-server/server.js, quirk 4).
            await pings.WaitFor(3, TimeSpan.FromSeconds(45));
            Assert.Equal([1, 2, 3], pings.Items.Select(p => p.Message.Number).Order().ToArray());
            await again.StopAsync(TestContext.Current());
        }
        finally
        {
            await StopBus(provider);
        }
    }

    [Fact]
    public async Task A_temporary_endpoint_hears_published_messages_and_its_queue_is_deleted_when_the_bus_stops()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var pings = new Collector<Ping>();
        var provider = await StartBus(prefix, x =>
        {
            x.AddSingleton(pings);
            x.AddConsumer<PingConsumer>().Endpoint(e =>
            {
                e.Temporary = true;
                e.InstanceId = "replica1";
            });
        });
        using var sqs = SqsTestServer.CreateClient();
        try
        {
            var queues = (await sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = prefix })).QueueUrls ?? [];
            Assert.DoesNotContain(queues, q => q.EndsWith("_error")); // temporary queues get no error queue

            await provider.GetRequiredService<IBus>().Publish(new Ping(42));
            await pings.WaitFor(1);
            Assert.Equal(42, Assert.Single(pings.Items).Message.Number);
        }
        finally
        {
            await StopBus(provider);
        }
        var left = (await sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = prefix })).QueueUrls ?? [];
        Assert.Empty(left);
    }

    [Fact]
    public async Task Stopping_lets_an_in_flight_message_finish_before_the_endpoint_reports_stopped()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var started = new TaskCompletionSource();
        var finished = 0;
        var bus = Bus.Factory.CreateUsingAmazonSqs(cfg =>
        {
            SqsTestServer.ConfigureHost(cfg, prefix);
            cfg.ReceiveEndpoint("slow", e => e.Handler<Ping>(async _ =>
            {
                started.TrySetResult();
                await Task.Delay(TimeSpan.FromSeconds(2));
                Interlocked.Increment(ref finished);
            }));
        });
        await bus.StartAsync(TestContext.Current());
        var endpoint = await bus.GetSendEndpoint(new Uri("queue:slow"));
        await endpoint.Send(new Ping(1));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await bus.StopAsync(TestContext.Current());

        Assert.Equal(1, finished);
        using var sqs = SqsTestServer.CreateClient();
        var url = (await sqs.GetQueueUrlAsync(prefix + "slow")).QueueUrl;
        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = url,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        Assert.Equal(0, attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible); // completed = deleted
    }
}
