using MassTransit;
using Persisters.Transports.AzureServiceBus.Tests.Messages;
using Persisters.Transports.AzureServiceBus.Tests.Support;

namespace Persisters.Transports.AzureServiceBus.Tests;

public sealed class When_messages_are_sent_and_published : IAsyncLifetime
{
    private readonly string _scope = ServiceBusTestServer.UniqueScope();

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => ServiceBusTestServer.DeleteScope(_scope);

    [Fact]
    public async Task A_sent_message_is_consumed_with_its_headers_ids_and_content_type()
    {
        var orders = new Collector<OrderPlaced>();
        var bus = Bus.Factory.CreateUsingAzureServiceBus(cfg =>
        {
            ServiceBusTestServer.ConfigureHost(cfg, _scope);
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
            var messageId = Guid.NewGuid();
            var correlationId = Guid.NewGuid();
            await endpoint.Send(new OrderPlaced(id, "ada", 1), context =>
            {
                context.MessageId = messageId;
                context.CorrelationId = correlationId;
                context.Headers.Set("X-Tenant", "acme");
            });

            await orders.WaitFor(1);
            var consumed = Assert.Single(orders.Items);
            Assert.Equal(id, consumed.Message.OrderId);
            Assert.Equal(messageId, consumed.MessageId);
            Assert.Equal(correlationId, consumed.CorrelationId);
            Assert.Equal("acme", consumed.Headers.Get<string>("X-Tenant"));
            Assert.Equal("acme", consumed.ReceiveContext.TransportHeaders.Get<string>("X-Tenant"));
            Assert.Equal(messageId.ToString("N"), consumed.ReceiveContext.TransportHeaders.Get<string>("MessageId"));
            Assert.Equal("application/vnd.masstransit+json", consumed.ReceiveContext.ContentType?.MediaType);
            Assert.False(consumed.ReceiveContext.Redelivered);
            Assert.Equal(ServiceBusTestServer.HostAddress(_scope) + "/orders", consumed.ReceiveContext.InputAddress.ToString());
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }

    [Fact]
    public async Task Every_subscribed_endpoint_gets_exactly_one_copy_of_a_published_message()
    {
        var atA = new Collector<UserRenamed>();
        var atB = new Collector<UserRenamed>();
        var auditAtC = new Collector<IAuditEvent>();
        var pings = new Collector<Ping>();
        var bus = Bus.Factory.CreateUsingAzureServiceBus(cfg =>
        {
            ServiceBusTestServer.ConfigureHost(cfg, _scope);
            cfg.ReceiveEndpoint("audit-a", e => e.Handler<UserRenamed>(c => Collect(atA, c)));
            cfg.ReceiveEndpoint("audit-b", e => e.Handler<UserRenamed>(c => Collect(atB, c)));
            // C consumes the interface only: the published type's topic forwards to the interface's topic.
            cfg.ReceiveEndpoint("audit-c", e => e.Handler<IAuditEvent>(c => Collect(auditAtC, c)));
            cfg.ReceiveEndpoint("pings", e => e.Handler<Ping>(c => Collect(pings, c)));
        });
        await bus.StartAsync(TestContext.Current());
        try
        {
            for (var i = 0; i < 5; i++)
                await bus.Publish(new UserRenamed($"rename {i}", $"name {i}"));

            await atA.WaitFor(5);
            await atB.WaitFor(5);
            await auditAtC.WaitFor(5);
            await Task.Delay(TimeSpan.FromSeconds(2)); // room for duplicates to show up

            Assert.Equal(5, atA.Count);
            Assert.Equal(5, atB.Count);
            Assert.Equal(5, auditAtC.Count);
            Assert.Equal(0, pings.Count);
            Assert.Equal(Enumerable.Range(0, 5).Select(i => $"rename {i}").Order(), atA.Items.Select(c => c.Message.What).Order());
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }

    private static Task Collect<T>(Collector<T> collector, ConsumeContext<T> context)
        where T : class
    {
        collector.Add(context);
        return Task.CompletedTask;
    }
}
