using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Transports.AzureServiceBus.Tests.Messages;
using Persisters.Transports.AzureServiceBus.Tests.Support;

namespace Persisters.Transports.AzureServiceBus.Tests;

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

public sealed class When_endpoints_run_on_a_container : IAsyncLifetime
{
    private readonly string _scope = ServiceBusTestServer.UniqueScope();

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => ServiceBusTestServer.DeleteScope(_scope);

    private async Task<ServiceProvider> StartBus(Action<IBusRegistrationConfigurator> register,
        Action<IBusRegistrationContext, IServiceBusBusFactoryConfigurator>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            register(x);
            x.UsingAzureServiceBus((context, cfg) =>
            {
                ServiceBusTestServer.ConfigureHost(cfg, _scope);
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
    public async Task A_batch_held_longer_than_the_lock_keeps_its_locks_and_is_not_redelivered()
    {
        var recorder = new BatchRecorder { HoldFirstBatch = TimeSpan.FromSeconds(14) };
        var provider = await StartBus(x =>
        {
            x.AddSingleton(recorder);
            x.AddConsumer<PingBatchConsumer>(c => c.Options<BatchOptions>(o => o.SetMessageLimit(10).SetTimeLimit(s: 1).SetConcurrencyLimit(1)))
                .ExcludeFromConfigureEndpoints();
        }, (context, cfg) => cfg.ReceiveEndpoint("batches", e =>
        {
            e.LockDuration = TimeSpan.FromSeconds(5); // the first batch is held for 14 s: almost three lock durations
            e.ConfigureConsumer<PingBatchConsumer>(context);
        }));
        try
        {
            var endpoint = await provider.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:batches"));
            await endpoint.SendBatch(Enumerable.Range(1, 25).Select(i => new Ping(i)));

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (recorder.Messages.Count < 25 && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            await Task.Delay(TimeSpan.FromSeconds(6)); // a lost lock would bring messages back within this time

            var numbers = recorder.Messages.Select(m => m.Number).Order().ToList();
            Assert.Equal(Enumerable.Range(1, 25).ToList(), numbers); // each exactly once
            Assert.DoesNotContain(recorder.Messages, m => m.Redelivered);
            Assert.All(recorder.BatchSizes, size => Assert.InRange(size, 1, 10));
            Assert.True(recorder.BatchSizes.Count >= 3, $"batches: {string.Join(",", recorder.BatchSizes)}");
            var stats = await ServiceBusTestServer.StatsWhen($"{_scope}/batches", x => x["completed"] == 25);
            Assert.True(stats["lockRenewals"] >= 10, $"the held batch's locks were not renewed: {stats}");
            Assert.True(stats["lockExpired"] == 0 && stats["lockLost"] == 0 && stats["completed"] == 25 && stats["abandoned"] == 0, stats.ToString());
        }
        finally
        {
            await StopBus(provider);
        }
    }

    [Fact]
    public async Task A_batch_consumer_is_kept_full_from_a_backlog()
    {
        var recorder = new BatchRecorder();
        var provider = await StartBus(x =>
        {
            x.AddSingleton(recorder);
            x.AddConsumer<PingBatchConsumer>(c => c.Options<BatchOptions>(o => o.SetMessageLimit(100).SetTimeLimit(s: 1).SetConcurrencyLimit(2)))
                .ExcludeFromConfigureEndpoints();
        });
        var bus = provider.GetRequiredService<IBus>();
        try
        {
            // A backlog waits before the endpoint connects: every batch but the last must be full.
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:backlog"));
            await provider.GetRequiredService<IReceiveEndpointConnector>()
                .ConnectReceiveEndpoint("backlog", (_, e) => { }).StopAsync(); // creates the queue only
            await endpoint.SendBatch(Enumerable.Range(1, 450).Select(i => new Ping(i)));

            var handle = provider.GetRequiredService<IReceiveEndpointConnector>()
                .ConnectReceiveEndpoint("backlog", (context, e) => e.ConfigureConsumer<PingBatchConsumer>(context));
            await handle.Ready;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (recorder.Messages.Count < 450 && DateTime.UtcNow < deadline)
                await Task.Delay(100);
            await handle.StopAsync();

            var sizes = recorder.BatchSizes.ToArray();
            Assert.Equal(450, sizes.Sum());
            Assert.True(sizes.Count(s => s == 100) >= 4, $"batches: {string.Join(",", sizes)}");
        }
        finally
        {
            await StopBus(provider);
        }
    }

    [Fact]
    public async Task A_stopped_dynamic_endpoint_holds_no_receiver_link_makes_no_receive_calls_and_gets_its_messages_when_reconnected()
    {
        var pings = new Collector<Ping>();
        var provider = await StartBus(_ => { });
        var connector = provider.GetRequiredService<IReceiveEndpointConnector>();
        var queue = $"{_scope}/on-demand";
        try
        {
            var handle = connector.ConnectReceiveEndpoint("on-demand", (_, e) => e.Handler<Ping>(c => { pings.Add(c); return Task.CompletedTask; }));
            await handle.Ready;
            var endpoint = await provider.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:on-demand"));
            await endpoint.Send(new Ping(1));
            await pings.WaitFor(1);
            var running = await ServiceBusTestServer.Stats(queue);
            Assert.Equal(1, running["receiverLinks"]);

            await handle.StopAsync();
            var stopped = await ServiceBusTestServer.Stats(queue);
            await endpoint.Send(new Ping(2));
            await endpoint.Send(new Ping(3));
            await Task.Delay(TimeSpan.FromSeconds(3));
            var later = await ServiceBusTestServer.Stats(queue);

            Assert.Equal(0, stopped["receiverLinks"]);
            Assert.Equal(0, later["receiverLinks"]);
            Assert.Equal(stopped["creditFlows"], later["creditFlows"]); // no receive call reached the broker
            Assert.Equal(later["receiverLinksOpened"], later["receiverLinksClosed"]);
            Assert.Equal(2, later["activeMessages"]);
            Assert.Equal(1, pings.Count);

            var again = connector.ConnectReceiveEndpoint("on-demand", (_, e) => e.Handler<Ping>(c => { pings.Add(c); return Task.CompletedTask; }));
            await again.Ready;
            await pings.WaitFor(3);
            Assert.Equal([1, 2, 3], pings.Items.Select(p => p.Message.Number).Order().ToArray());
            await again.StopAsync();
        }
        finally
        {
            await StopBus(provider);
        }
    }

    [Fact]
    public async Task Stopping_with_a_backlog_gives_the_buffered_messages_back_at_once_and_they_are_consumed_after_reconnecting()
    {
        var pings = new Collector<Ping>();
        var provider = await StartBus(_ => { });
        var connector = provider.GetRequiredService<IReceiveEndpointConnector>();
        var gate = new TaskCompletionSource();
        try
        {
            var endpoint = await provider.GetRequiredService<IBus>().GetSendEndpoint(new Uri("queue:backlogged"));
            var first = connector.ConnectReceiveEndpoint("backlogged", (_, e) =>
            {
                e.PrefetchCount = 10;
                e.ConcurrentMessageLimit = 10;
                e.Handler<Ping>(async c => { await gate.Task; pings.Add(c); });
            });
            await first.Ready;
            await endpoint.SendBatch(Enumerable.Range(1, 50).Select(i => new Ping(i)));
            await Task.Delay(TimeSpan.FromSeconds(1)); // ten are being consumed (held at the gate)
            var stopping = first.StopAsync();
            gate.SetResult();
            await stopping;

            var stopped = await ServiceBusTestServer.Stats($"{_scope}/backlogged");
            Assert.Equal(0, stopped["receiverLinks"]);
            Assert.Equal(0, stopped["lockedMessages"]); // nothing left locked until its lock expires
            Assert.Equal(50 - pings.Count, stopped["activeMessages"]);

            var second = connector.ConnectReceiveEndpoint("backlogged", (_, e) => e.Handler<Ping>(c => { pings.Add(c); return Task.CompletedTask; }));
            await second.Ready;
            await pings.WaitFor(50);
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(Enumerable.Range(1, 50), pings.Items.Select(p => p.Message.Number).Order());
            await second.StopAsync();
        }
        finally
        {
            await StopBus(provider);
        }
    }

    [Fact]
    public async Task A_temporary_endpoint_hears_published_messages_and_its_entities_are_deleted_when_it_stops()
    {
        var heard = new Collector<UserRenamed>();
        var provider = await StartBus(_ => { }, (_, cfg) =>
            cfg.ReceiveEndpoint(new TemporaryEndpointDefinition("listener"), null, e => e.Handler<UserRenamed>(c => { heard.Add(c); return Task.CompletedTask; })));
        var admin = ServiceBusTestServer.CreateAdministrationClient();
        string temporaryQueue;
        try
        {
            await provider.GetRequiredService<IBus>().Publish(new UserRenamed("x", "y"));
            await heard.WaitFor(1);
            temporaryQueue = heard.Items[0].ReceiveContext.InputAddress.AbsolutePath.Trim('/');
            var queue = await admin.GetQueueAsync(temporaryQueue);
            Assert.Equal(TimeSpan.FromMinutes(5), queue.Value.AutoDeleteOnIdle);
        }
        finally
        {
            await StopBus(provider);
        }

        Assert.False((await admin.QueueExistsAsync(temporaryQueue)).Value);
        var topic = $"{_scope}/Persisters.Transports.AzureServiceBus.Tests.Messages/UserRenamed";
        await foreach (var subscription in admin.GetSubscriptionsAsync(topic))
            Assert.DoesNotContain(temporaryQueue.Split('/')[^1], subscription.SubscriptionName);
    }

    [Fact]
    public async Task A_subscription_forwarding_elsewhere_is_pointed_back_at_its_queue()
    {
        var admin = ServiceBusTestServer.CreateAdministrationClient();
        var topic = $"{_scope}/Persisters.Transports.AzureServiceBus.Tests.Messages/OrderPlaced";
        await admin.CreateQueueAsync($"{_scope}/elsewhere");
        await admin.CreateTopicAsync(topic);
        await admin.CreateSubscriptionAsync(new Azure.Messaging.ServiceBus.Administration.CreateSubscriptionOptions(topic, $"orders-{_scope}")
        {
            ForwardTo = $"{_scope}/elsewhere",
        });

        var orders = new Collector<OrderPlaced>();
        var provider = await StartBus(_ => { }, (_, cfg) => cfg.ReceiveEndpoint("orders", e => e.Handler<OrderPlaced>(c => { orders.Add(c); return Task.CompletedTask; })));
        try
        {
            var subscription = await admin.GetSubscriptionAsync(topic, $"orders-{_scope}");
            Assert.EndsWith($"{_scope}/orders", subscription.Value.ForwardTo);
            await provider.GetRequiredService<IBus>().Publish(new OrderPlaced(Guid.NewGuid(), "ada", 1));
            await orders.WaitFor(1);
        }
        finally
        {
            await StopBus(provider);
        }
    }
}
