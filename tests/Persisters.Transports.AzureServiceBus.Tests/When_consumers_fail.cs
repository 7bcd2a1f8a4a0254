using System.Text.Json;
using MassTransit;
using Persisters.Transports.AzureServiceBus.Tests.Messages;
using Persisters.Transports.AzureServiceBus.Tests.Support;

namespace Persisters.Transports.AzureServiceBus.Tests;

public sealed class When_consumers_fail : IAsyncLifetime
{
    private readonly string _scope = ServiceBusTestServer.UniqueScope();

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => ServiceBusTestServer.DeleteScope(_scope);

    [Fact]
    public async Task After_the_retries_the_message_lands_in_the_error_queue_with_fault_headers_and_leaves_the_input_queue()
    {
        var attempts = 0;
        var bus = Bus.Factory.CreateUsingAzureServiceBus(cfg =>
        {
            ServiceBusTestServer.ConfigureHost(cfg, _scope);
            cfg.ReceiveEndpoint("faulty", e =>
            {
                e.UseMessageRetry(r => r.Immediate(2));
                e.Handler<Ping>(context =>
                {
                    Interlocked.Increment(ref attempts);
                    throw new InvalidOperationException($"boom {context.Message.Number}");
                });
            });
        });
        await bus.StartAsync(TestContext.Current());
        var messageId = Guid.NewGuid();
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:faulty"));
            await endpoint.Send(new Ping(7), c => c.MessageId = messageId);
            var moved = await ServiceBusTestServer.ReceiveOne($"{_scope}/faulty_error");

            Assert.Equal(3, attempts);
            Assert.Equal(messageId.ToString("N"), moved.MessageId);
            Assert.Equal("application/vnd.masstransit+json", moved.ContentType);
            Assert.Equal("System.InvalidOperationException", moved.ApplicationProperties["MT-Fault-ExceptionType"]);
            Assert.Equal("boom 7", moved.ApplicationProperties["MT-Fault-Message"]);
            Assert.Equal("fault", moved.ApplicationProperties["MT-Reason"]);
            Assert.Equal(2, Convert.ToInt32(moved.ApplicationProperties["MT-Fault-RetryCount"]));
            Assert.Contains(nameof(When_consumers_fail), (string)moved.ApplicationProperties["MT-Fault-StackTrace"]);
            using var body = JsonDocument.Parse(moved.Body.ToString());
            Assert.Equal(7, body.RootElement.GetProperty("message").GetProperty("number").GetInt32());

            // Completed after the move: nothing waits in the input queue, nothing is locked there.
            var input = await ServiceBusTestServer.StatsWhen($"{_scope}/faulty", x => x["completed"] == 1 && x["activeMessages"] == 0);
            Assert.True(input["completed"] == 1 && input["activeMessages"] == 0, input.ToString());
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }

    [Fact]
    public async Task A_message_the_endpoint_cannot_settle_is_abandoned_redelivered_and_dead_lettered_at_the_max_delivery_count()
    {
        var deliveries = new Collector<Ping>();
        var bus = Bus.Factory.CreateUsingAzureServiceBus(cfg =>
        {
            ServiceBusTestServer.ConfigureHost(cfg, _scope);
            cfg.ReceiveEndpoint("poison", e =>
            {
                e.MaxDeliveryCount = 3;
                // The error pipe itself fails (as when the _error queue cannot be reached): the message faults at the
                // transport, which abandons it; Service Bus counts the delivery and dead-letters it at the third.
                e.ConfigureError(x => x.UseExecute(_ => throw new InvalidOperationException("error queue unreachable")));
                e.Handler<Ping>(context =>
                {
                    deliveries.Add(context);
                    throw new InvalidOperationException("poison");
                });
            });
        });
        await bus.StartAsync(TestContext.Current());
        try
        {
            await (await bus.GetSendEndpoint(new Uri("queue:poison"))).Send(new Ping(1));
            var dead = await ServiceBusTestServer.ReceiveOne($"{_scope}/poison/$deadletterqueue");

            Assert.Equal(3, deliveries.Count);
            Assert.Equal([false, true, true], deliveries.Items.Select(d => d.ReceiveContext.Redelivered).ToArray());
            Assert.Equal("MaxDeliveryCountExceeded", dead.DeadLetterReason);
            var stats = await ServiceBusTestServer.StatsWhen($"{_scope}/poison", x => x["abandoned"] == 3 && x["deadLettered"] == 1 && x["activeMessages"] == 0);
            Assert.True(stats["abandoned"] == 3 && stats["deadLettered"] == 1 && stats["activeMessages"] == 0, stats.ToString());
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }
}
