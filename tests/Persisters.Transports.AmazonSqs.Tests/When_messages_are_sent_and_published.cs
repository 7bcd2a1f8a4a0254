using MassTransit;
using Persisters.Transports.AmazonSqs.Tests.Messages;
using Persisters.Transports.AmazonSqs.Tests.Support;

namespace Persisters.Transports.AmazonSqs.Tests;

public sealed class When_messages_are_sent_and_published
{
    [Fact]
    public async Task A_sent_message_is_consumed_with_its_headers_and_content_type()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var orders = new Collector<OrderPlaced>();
        var bus = Bus.Factory.CreateUsingAmazonSqs(cfg =>
        {
            SqsTestServer.ConfigureHost(cfg, prefix);
            cfg.ReceiveEndpoint("orders", e => e.Handler<OrderPlaced>(context =>
            {
                orders.Add(context);
                return Task.CompletedTask;
            }));
        });
        await bus.StartAsync(TestContext.Current());
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:orders"));
            var id = Guid.NewGuid();
            await endpoint.Send(new OrderPlaced(id, "ada", 1), context => context.Headers.Set("X-Tenant", "acme"));

            await orders.WaitFor(1);
            var consumed = Assert.Single(orders.Items);
            Assert.Equal(id, consumed.Message.OrderId);
            Assert.Equal("ada", consumed.Message.Customer);
            Assert.Equal("acme", consumed.Headers.Get<string>("X-Tenant"));
            Assert.Equal("application/vnd.masstransit+json", consumed.ReceiveContext.ContentType?.MediaType);
            Assert.Equal("acme", consumed.ReceiveContext.TransportHeaders.Get<string>("X-Tenant"));
            Assert.Equal(new Uri($"amazonsqs://{SqsTestServer.Region}/orders"), consumed.ReceiveContext.InputAddress);
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }
}

public sealed class When_a_message_is_published
{
    [Fact]
    public async Task Every_subscribed_endpoint_gets_exactly_one_copy()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var atA = new Collector<UserRenamed>();
        var atB = new Collector<UserRenamed>();
        var auditAtB = new Collector<IAuditEvent>();
        var atC = new Collector<Ping>();
        var bus = Bus.Factory.CreateUsingAmazonSqs(cfg =>
        {
            SqsTestServer.ConfigureHost(cfg, prefix);
            cfg.ReceiveEndpoint("audit-a", e => e.Handler<UserRenamed>(c => Collect(atA, c)));
            // B subscribes to the message type and to its interface: still one copy per published message.
            cfg.ReceiveEndpoint("audit-b", e =>
            {
                e.Handler<UserRenamed>(c => Collect(atB, c));
                e.Handler<IAuditEvent>(c => Collect(auditAtB, c));
            });
            cfg.ReceiveEndpoint("pings", e => e.Handler<Ping>(c => Collect(atC, c)));
        });
        await bus.StartAsync(TestContext.Current());
        try
        {
            for (var i = 0; i < 5; i++)
                await bus.Publish(new UserRenamed($"rename {i}", $"name {i}"));

            await atA.WaitFor(5);
            await atB.WaitFor(5);
            await auditAtB.WaitFor(5);
            await Task.Delay(TimeSpan.FromSeconds(2)); // room for duplicates to show up

            Assert.Equal(5, atA.Count);
            Assert.Equal(5, atB.Count);
            Assert.Equal(5, auditAtB.Count);
            Assert.Equal(0, atC.Count);
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"rename {i}").Order(), atA.Items.Select(c => c.Message.What).Order());
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }

    [Fact]
    public async Task A_publisher_on_another_bus_finds_the_subscribers_and_other_prefixes_do_not_see_them()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var prices = new Collector<PriceChanged>();
        var consumerBus = Bus.Factory.CreateUsingAmazonSqs(cfg =>
        {
            SqsTestServer.ConfigureHost(cfg, prefix);
            cfg.ReceiveEndpoint("prices", e => e.Handler<PriceChanged>(c => Collect(prices, c)));
        });
        var publisherBus = Bus.Factory.CreateUsingAmazonSqs(cfg => SqsTestServer.ConfigureHost(cfg, prefix));
        var strangerBus = Bus.Factory.CreateUsingAmazonSqs(cfg => SqsTestServer.ConfigureHost(cfg, SqsTestServer.UniquePrefix()));
        await consumerBus.StartAsync(TestContext.Current());
        await publisherBus.StartAsync(TestContext.Current());
        await strangerBus.StartAsync(TestContext.Current());
        try
        {
            await strangerBus.Publish(new PriceChanged("not-for-you", 1m));
            await publisherBus.Publish(new PriceChanged("sku-1", 9.5m));

            await prices.WaitFor(1);
            await Task.Delay(TimeSpan.FromSeconds(2));
            var consumed = Assert.Single(prices.Items);
            Assert.Equal("sku-1", consumed.Message.Sku);
            Assert.Equal(9.5m, consumed.Message.Price);
        }
        finally
        {
            await strangerBus.StopAsync(TestContext.Current());
            await publisherBus.StopAsync(TestContext.Current());
            await consumerBus.StopAsync(TestContext.Current());
        }
    }

    private static Task Collect<T>(Collector<T> collector, ConsumeContext<T> context)
        where T : class
    {
        collector.Add(context);
        return Task.CompletedTask;
    }
}
