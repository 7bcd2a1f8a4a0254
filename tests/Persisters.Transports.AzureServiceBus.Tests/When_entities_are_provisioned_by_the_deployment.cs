using System.Xml;
using Azure.Messaging.ServiceBus.Administration;
using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Transports.AzureServiceBus.Tests.Messages;
using Persisters.Transports.AzureServiceBus.Tests.Support;

namespace Persisters.Transports.AzureServiceBus.Tests;

/// <summary>CreateEntities = false: credentials without the Manage right; the deployment provisions the entities.</summary>
public sealed class When_entities_are_provisioned_by_the_deployment : IAsyncLifetime
{
    private readonly string _scope = ServiceBusTestServer.UniqueScope();

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => ServiceBusTestServer.DeleteScope(_scope);

    private ServiceProvider Services(Collector<OrderPlaced> orders, bool createEntities) =>
        new ServiceCollection().AddMassTransit(x => x.UsingAzureServiceBus((_, cfg) =>
        {
            ServiceBusTestServer.ConfigureHost(cfg, _scope, createEntities);
            cfg.ReceiveEndpoint("orders", e => e.Handler<OrderPlaced>(c => { orders.Add(c); return Task.CompletedTask; }));
        })).BuildServiceProvider();

    [Fact]
    public async Task A_missing_entity_stops_the_start_naming_every_missing_one_and_nothing_is_created()
    {
        await using var provider = Services(new Collector<OrderPlaced>(), createEntities: false);
        var bus = provider.GetRequiredService<IBusControl>();

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => bus.StartAsync(TestContext.Current()));
        var text = refused.ToString();
        Assert.Contains("5 Service Bus entities do not exist", text);
        Assert.Contains($"queue {_scope}/orders (", text);
        Assert.Contains($"queue {_scope}/orders_error (", text);
        Assert.Contains($"queue {_scope}/orders_skipped (", text);
        Assert.Contains($"topic {_scope}/Persisters.Transports.AzureServiceBus.Tests.Messages/OrderPlaced", text);
        Assert.Contains($"subscription {_scope}/Persisters.Transports.AzureServiceBus.Tests.Messages/OrderPlaced/Subscriptions/orders-{_scope} (ForwardTo={_scope}/orders)", text);
        Assert.False((await ServiceBusTestServer.CreateAdministrationClient().QueueExistsAsync($"{_scope}/orders")).Value);
        await bus.StopAsync(TestContext.Current());
    }

    [Fact]
    public async Task Provisioned_from_the_listed_entities_it_consumes_sent_and_published_messages_and_drops_publishes_nobody_subscribed()
    {
        var orders = new Collector<OrderPlaced>();
        await using var provider = Services(orders, createEntities: false);

        // What to provision comes from the bus itself, before it starts.
        var entities = provider.GetRequiredService<Bind<IBus, IBusInstance>>().Value.GetServiceBusEntities();
        Assert.Equal(["topic", "queue", "queue", "queue", "subscription"], entities.Select(e => e.Kind).ToArray());
        await Provision(entities);

        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(TestContext.Current());
        try
        {
            await bus.Publish(new OrderPlaced(Guid.NewGuid(), "published", 1));
            await (await bus.GetSendEndpoint(new Uri("queue:orders"))).Send(new OrderPlaced(Guid.NewGuid(), "sent", 2));
            await bus.Publish(new Ping(1)); // no topic: nobody can have subscribed, so it is dropped without an error
            await orders.WaitFor(2);
            Assert.Equal(["published", "sent"], orders.Items.Select(o => o.Message.Customer).Order().ToArray());
            Assert.False((await ServiceBusTestServer.CreateAdministrationClient()
                .TopicExistsAsync($"{_scope}/Persisters.Transports.AzureServiceBus.Tests.Messages/Ping")).Value);
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }

        // The temporary bus endpoint could not be provisioned, so it was never created.
        var admin = ServiceBusTestServer.CreateAdministrationClient();
        var queues = new List<string>();
        await foreach (var queue in admin.GetQueuesAsync())
            if (queue.Name.StartsWith(_scope + "/", StringComparison.Ordinal))
                queues.Add(queue.Name);
        Assert.Equal([$"{_scope}/orders", $"{_scope}/orders_error", $"{_scope}/orders_skipped"], queues.Order(StringComparer.Ordinal).ToArray());
    }

    /// <summary>Creates the entities as an operator would, from their descriptions alone.</summary>
    private static async Task Provision(IEnumerable<ServiceBusEntityDescription> entities)
    {
        var admin = ServiceBusTestServer.CreateAdministrationClient();
        foreach (var entity in entities)
        {
            switch (entity.Kind)
            {
                case ServiceBusEntityDescription.TopicKind:
                    await admin.CreateTopicAsync(entity.Path);
                    break;
                case ServiceBusEntityDescription.QueueKind:
                    await admin.CreateQueueAsync(new CreateQueueOptions(entity.Path)
                    {
                        LockDuration = XmlConvert.ToTimeSpan(entity.Settings["LockDuration"]),
                        MaxDeliveryCount = int.Parse(entity.Settings["MaxDeliveryCount"]),
                        DeadLetteringOnMessageExpiration = bool.Parse(entity.Settings["DeadLetteringOnMessageExpiration"]),
                    });
                    break;
                case ServiceBusEntityDescription.SubscriptionKind:
                    await admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(entity.TopicPath, entity.SubscriptionName)
                    {
                        ForwardTo = entity.Settings["ForwardTo"],
                    });
                    break;
            }
        }
    }
}
