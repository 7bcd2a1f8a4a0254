using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Transports.AzureServiceBus.Tests.Messages;
using Persisters.Transports.AzureServiceBus.Tests.Support;

namespace Persisters.Transports.AzureServiceBus.Tests;

public sealed class When_sends_are_scheduled_or_too_large : IAsyncLifetime
{
    private readonly string _scope = ServiceBusTestServer.UniqueScope();

    public Task InitializeAsync() => Task.CompletedTask;
    public Task DisposeAsync() => ServiceBusTestServer.DeleteScope(_scope);

    [Fact]
    public async Task A_scheduled_message_is_held_by_service_bus_until_its_time_and_a_cancelled_one_never_arrives()
    {
        var pings = new Collector<Ping>();
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            x.AddServiceBusMessageScheduler();
            x.UsingAzureServiceBus((context, cfg) =>
            {
                ServiceBusTestServer.ConfigureHost(cfg, _scope);
                cfg.UseServiceBusMessageScheduler();
                cfg.ReceiveEndpoint("timers", e => e.Handler<Ping>(c => { pings.Add(c); return Task.CompletedTask; }));
            });
        });
        await using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<IBusControl>();
        await bus.StartAsync(TestContext.Current());
        try
        {
            using var scope = provider.CreateScope();
            var scheduler = scope.ServiceProvider.GetRequiredService<IMessageScheduler>();
            var clock = Stopwatch.StartNew();
            var kept = await scheduler.ScheduleSend(new Uri("queue:timers"), DateTime.UtcNow.AddSeconds(3), new Ping(1));
            var cancelled = await scheduler.ScheduleSend(new Uri("queue:timers"), DateTime.UtcNow.AddSeconds(3), new Ping(2));

            var held = await ServiceBusTestServer.Stats($"{_scope}/timers");
            Assert.Equal(2, held["scheduledMessages"]); // in Service Bus's hands, not in a process
            await scheduler.CancelScheduledSend(new Uri("queue:timers"), cancelled.TokenId);

            await pings.WaitFor(1);
            var arrivedAfter = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal(1, Assert.Single(pings.Items).Message.Number);
            Assert.True(arrivedAfter >= TimeSpan.FromSeconds(2.5), $"arrived after {arrivedAfter}");
            var after = await ServiceBusTestServer.Stats($"{_scope}/timers");
            Assert.True(after["scheduledCancelled"] == 1 && after["scheduledMessages"] == 0, after.ToString());
            Assert.NotEqual(kept.TokenId, cancelled.TokenId);
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }

    [Fact]
    public async Task A_delayed_send_is_a_scheduled_message()
    {
        var pings = new Collector<Ping>();
        var bus = Bus.Factory.CreateUsingAzureServiceBus(cfg =>
        {
            ServiceBusTestServer.ConfigureHost(cfg, _scope);
            cfg.ReceiveEndpoint("delayed", e => e.Handler<Ping>(c => { pings.Add(c); return Task.CompletedTask; }));
        });
        await bus.StartAsync(TestContext.Current());
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:delayed"));
            await endpoint.Send(new Ping(1), c => c.Delay = TimeSpan.FromSeconds(2));
            Assert.Equal(1, (await ServiceBusTestServer.Stats($"{_scope}/delayed"))["scheduledMessages"]);
            Assert.Equal(0, pings.Count);
            await pings.WaitFor(1);
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }

    [Fact]
    public async Task A_message_over_the_entity_limit_is_refused_at_once_naming_entity_size_and_limit_and_one_under_it_arrives()
    {
        var blobs = new Collector<Blob>();
        var bus = Bus.Factory.CreateUsingAzureServiceBus(cfg =>
        {
            ServiceBusTestServer.ConfigureHost(cfg, _scope);
            cfg.ReceiveEndpoint("blobs", e => e.Handler<Blob>(c => { blobs.Add(c); return Task.CompletedTask; }));
        });
        await bus.StartAsync(TestContext.Current());
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:blobs"));
            var refused = await Assert.ThrowsAsync<ServiceBusMessageTooLargeException>(() => endpoint.Send(new Blob(new string('x', 300 * 1024))));
            Assert.Equal($"{_scope}/blobs", refused.EntityPath);
            Assert.Equal(262144, refused.Limit);
            Assert.InRange(refused.Size, 300 * 1024, 310 * 1024);
            Assert.Equal(0, (await ServiceBusTestServer.Stats($"{_scope}/blobs"))["enqueued"]);

            var large = new string('y', 200 * 1024);
            await endpoint.Send(new Blob(large));
            await blobs.WaitFor(1);
            Assert.Equal(large, Assert.Single(blobs.Items).Message.Data);
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }
}
