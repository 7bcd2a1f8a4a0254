using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Transports.AzureServiceBus.Tests.Messages;
using Persisters.Transports.AzureServiceBus.Tests.Support;

namespace Persisters.Transports.AzureServiceBus.Tests;

/// <summary>
/// Declaring an endpoint is topology only (issue 11, item 1): the queue, its _error and _skipped queues, the topics and the
/// forwarding subscriptions, with no receiver link on the queue and no message touched; and the retention bound
/// (DefaultMessageTimeToLive, expired messages dropped) set on a queue that exists already.
/// </summary>
public sealed class When_topology_is_deployed_without_receiving : IAsyncLifetime
{
    private readonly string _scope = ServiceBusTestServer.UniqueScope();
    private ServiceProvider? _provider;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.GetRequiredService<IBusControl>().StopAsync(TestContext.Current());
            await _provider.DisposeAsync();
        }
        await ServiceBusTestServer.DeleteScope(_scope);
    }

    private async Task<(IBusControl Control, IBusInstance Instance)> StartBus(bool createEntities = true)
    {
        _provider = new ServiceCollection().AddMassTransit(x => x.UsingAzureServiceBus((_, cfg) => ServiceBusTestServer.ConfigureHost(cfg, _scope, createEntities)))
            .BuildServiceProvider();
        var control = _provider.GetRequiredService<IBusControl>();
        await control.StartAsync(TestContext.Current());
        return (control, _provider.GetRequiredService<Bind<IBus, IBusInstance>>().Value);
    }

    private static void Orders(IReceiveEndpointConfigurator e, Collector<OrderPlaced> collector) =>
        e.Handler<OrderPlaced>(c =>
        {
            collector.Add(c);
            return Task.CompletedTask;
        });

    [Fact]
    public async Task Deploying_creates_every_entity_and_neither_receives_nor_moves_a_waiting_message_however_often_it_runs()
    {
        var (bus, instance) = await StartBus();
        var orders = new Collector<OrderPlaced>();

        await instance.DeployServiceBusReceiveEndpointTopology("orders", e => Orders(e, orders), TestContext.Current());

        var admin = ServiceBusTestServer.CreateAdministrationClient();
        var topic = $"{_scope}/Persisters.Transports.AzureServiceBus.Tests.Messages/OrderPlaced";
        foreach (var queue in new[] { "orders", "orders_error", "orders_skipped" })
            Assert.True((await admin.QueueExistsAsync($"{_scope}/{queue}")).Value, queue);
        var subscription = await admin.GetSubscriptionAsync(topic, $"orders-{_scope}");
        Assert.EndsWith($"{_scope}/orders", subscription.Value.ForwardTo);

        // Published messages reach the declared queue through the forwarding subscription and wait there.
        for (var i = 0; i < 3; i++)
            await bus.Publish(new OrderPlaced(Guid.NewGuid(), "waiting", i));
        await WaitForActive($"{_scope}/orders", 3);

        for (var i = 0; i < 3; i++)
            await instance.DeployServiceBusReceiveEndpointTopology("orders", e => Orders(e, orders), TestContext.Current());

        var stats = await ServiceBusTestServer.Stats($"{_scope}/orders");
        Assert.Equal(0, stats["receiverLinksOpened"]);
        Assert.Equal(0, stats["creditFlows"]);
        Assert.Equal(0, stats["delivered"]);
        Assert.Equal(3, stats["activeMessages"]);
        Assert.Equal(0, orders.Count);

        // Connected for real, the endpoint consumes all three.
        var handle = bus.ConnectReceiveEndpoint("orders", e => Orders(e, orders));
        await handle.Ready;
        await orders.WaitFor(3);
        await handle.StopAsync(TestContext.Current());
    }

    [Fact]
    public async Task Retention_is_set_on_an_existing_queue_and_Service_Bus_drops_what_is_enqueued_afterwards_once_it_expires()
    {
        var (_, instance) = await StartBus();
        var path = $"{_scope}/orders";
        Assert.Equal(ServiceBusRetentionOutcome.NotCreatedYet,
            (await instance.SetServiceBusMessageRetention("orders", TimeSpan.FromSeconds(2), TestContext.Current())).Outcome);

        // The queue as an earlier version left it: Service Bus's unlimited time to live, expired messages dead-lettered.
        await instance.DeployServiceBusReceiveEndpointTopology("orders", e => Orders(e, new Collector<OrderPlaced>()), TestContext.Current());
        var admin = ServiceBusTestServer.CreateAdministrationClient();
        Assert.Equal(TimeSpan.MaxValue, (await admin.GetQueueAsync(path)).Value.DefaultMessageTimeToLive);
        await using var client = ServiceBusTestServer.CreateClient();
        await using var sender = client.CreateSender(path);
        await sender.SendMessageAsync(new Azure.Messaging.ServiceBus.ServiceBusMessage("before"));

        var set = await instance.SetServiceBusMessageRetention("orders", TimeSpan.FromSeconds(2), TestContext.Current());
        Assert.Equal(new ServiceBusQueueRetention(path, ServiceBusRetentionOutcome.Set, TimeSpan.FromSeconds(2)), set);
        var properties = (await admin.GetQueueAsync(path)).Value;
        Assert.Equal(TimeSpan.FromSeconds(2), properties.DefaultMessageTimeToLive);
        Assert.False(properties.DeadLetteringOnMessageExpiration);
        Assert.Equal(ServiceBusRetentionOutcome.AlreadySet,
            (await instance.SetServiceBusMessageRetention("orders", TimeSpan.FromSeconds(2), TestContext.Current())).Outcome);
        // The move queues are not bounded by the endpoint queue's retention.
        Assert.Equal(TimeSpan.MaxValue, (await admin.GetQueueAsync($"{path}_error")).Value.DefaultMessageTimeToLive);

        await sender.SendMessageAsync(new Azure.Messaging.ServiceBus.ServiceBusMessage("after"));
        await Task.Delay(TimeSpan.FromSeconds(4));
        var stats = await ServiceBusTestServer.Stats(path);
        // "before" keeps the expiry it was enqueued with (none); "after" expired and was dropped, not dead-lettered.
        Assert.Equal(1, stats["activeMessages"]);
        Assert.Equal(0, stats["deadLetterMessages"]);
        Assert.Equal("before", (await ServiceBusTestServer.ReceiveOne(path)).Body.ToString());
    }

    [Fact]
    public async Task Without_the_right_to_create_entities_the_provisioned_retention_is_checked_not_changed()
    {
        var (_, instance) = await StartBus(createEntities: false);
        var admin = ServiceBusTestServer.CreateAdministrationClient();
        var path = $"{_scope}/orders";
        Assert.Equal(ServiceBusRetentionOutcome.Missing,
            (await instance.SetServiceBusMessageRetention("orders", TimeSpan.FromHours(1), TestContext.Current())).Outcome);

        await admin.CreateQueueAsync(new Azure.Messaging.ServiceBus.Administration.CreateQueueOptions(path)
        {
            DefaultMessageTimeToLive = TimeSpan.FromDays(1), DeadLetteringOnMessageExpiration = false,
        });
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            instance.SetServiceBusMessageRetention("orders", TimeSpan.FromHours(1), TestContext.Current()));
        Assert.Contains($"Service Bus queue {path} has DefaultMessageTimeToLive=P1D", refused.Message);
        Assert.Contains("DefaultMessageTimeToLive=PT1H (or less) with DeadLetteringOnMessageExpiration=false", refused.Message);
        Assert.Equal(TimeSpan.FromDays(1), (await admin.GetQueueAsync(path)).Value.DefaultMessageTimeToLive);

        var properties = (await admin.GetQueueAsync(path)).Value;
        properties.DefaultMessageTimeToLive = TimeSpan.FromMinutes(30);
        await admin.UpdateQueueAsync(properties);
        Assert.Equal(new ServiceBusQueueRetention(path, ServiceBusRetentionOutcome.Checked, TimeSpan.FromMinutes(30)),
            await instance.SetServiceBusMessageRetention("orders", TimeSpan.FromHours(1), TestContext.Current()));
    }

    private static async Task WaitForActive(string path, long count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await ServiceBusTestServer.Stats(path))["activeMessages"] < count)
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{path}: fewer than {count} messages after 30 s ({await ServiceBusTestServer.Stats(path)}).");
            await Task.Delay(100);
        }
    }
}
