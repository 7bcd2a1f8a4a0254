using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Messaging.ServiceBus;

namespace Persisters.ServiceBus.Emulator.Tests;

[Collection(nameof(EmulatorCollection))]
public sealed class When_receivers_are_counted(EmulatorFixture emulator)
{
    [Fact]
    public async Task Stats_count_open_receiver_links_and_credit_flows_and_a_closed_receiver_takes_nothing()
    {
        string queue = await emulator.CreateQueueAsync();
        JsonElement before = await emulator.StatsAsync(queue);
        Assert.Equal(0, before.GetProperty("receiverLinks").GetInt32());
        Assert.Equal(0, before.GetProperty("creditFlows").GetInt64());

        await using ServiceBusSender sender = emulator.Client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("one"));
        ServiceBusReceiver receiver = emulator.Client.CreateReceiver(queue);
        ServiceBusReceivedMessage m = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        await receiver.CompleteMessageAsync(m);

        JsonElement open = await emulator.StatsAsync(queue);
        Assert.Equal(1, open.GetProperty("receiverLinks").GetInt32());
        Assert.True(open.GetProperty("creditFlows").GetInt64() >= 1);
        Assert.Equal(1, open.GetProperty("delivered").GetInt64());
        Assert.Equal(1, open.GetProperty("completed").GetInt64());
        Assert.Equal(1, open.GetProperty("senderLinksOpened").GetInt64());

        await receiver.CloseAsync();
        await Eventually.TrueAsync(async () => (await emulator.StatsAsync(queue)).GetProperty("receiverLinks").GetInt32() == 0);
        JsonElement closed = await emulator.StatsAsync(queue);
        Assert.Equal(0, closed.GetProperty("receiverLinks").GetInt32());
        Assert.Equal(1, closed.GetProperty("receiverLinksClosed").GetInt64());

        await sender.SendMessageAsync(new ServiceBusMessage("two"));
        JsonElement after = await emulator.StatsAsync(queue);
        Assert.Equal(closed.GetProperty("creditFlows").GetInt64(), after.GetProperty("creditFlows").GetInt64());
        Assert.Equal(1, after.GetProperty("delivered").GetInt64());
        Assert.Equal(1, after.GetProperty("activeMessages").GetInt64());
    }

    [Fact]
    public async Task A_processor_completes_every_message_and_holds_no_receiver_link_once_closed()
    {
        string queue = await emulator.CreateQueueAsync();
        await using ServiceBusSender sender = emulator.Client.CreateSender(queue);
        for (int i = 0; i < 4; i++)
        {
            await sender.SendMessagesAsync(Enumerable.Range(0, 50).Select(j => new ServiceBusMessage($"{i}-{j}")));
        }

        var seen = new ConcurrentDictionary<string, int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using ServiceBusProcessor processor = emulator.Client.CreateProcessor(queue, new ServiceBusProcessorOptions { MaxConcurrentCalls = 8, PrefetchCount = 50 });
        processor.ProcessMessageAsync += args =>
        {
            seen.AddOrUpdate(args.Message.Body.ToString(), 1, (_, n) => n + 1);
            if (seen.Count == 200) { done.TrySetResult(); }
            return Task.CompletedTask;
        };
        processor.ProcessErrorAsync += args =>
        {
            done.TrySetException(args.Exception);
            return Task.CompletedTask;
        };

        await processor.StartProcessingAsync();
        await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await processor.StopProcessingAsync();

        // StopProcessingAsync keeps the SDK's receiver link attached (an idle link, no credit); closing the processor detaches it.
        Assert.Equal(1, (await emulator.StatsAsync(queue)).GetProperty("receiverLinks").GetInt32());
        await processor.CloseAsync();

        Assert.Equal(200, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        // The emulator handles the detach and the last dispositions as they arrive, after CloseAsync returns.
        await Eventually.TrueAsync(async () => (await emulator.StatsAsync(queue)).GetProperty("receiverLinks").GetInt32() == 0);
        JsonElement stats = await emulator.StatsAsync(queue);
        Assert.Equal(0, stats.GetProperty("receiverLinks").GetInt32());
        Assert.Equal(200, stats.GetProperty("completed").GetInt64());
        Assert.Equal(0, stats.GetProperty("activeMessages").GetInt64() + stats.GetProperty("lockedMessages").GetInt64());
    }
}

[Collection(nameof(EmulatorCollection))]
public sealed class When_a_client_connection_drops(EmulatorFixture emulator)
{
    [Fact]
    public async Task Its_receiver_links_are_gone_and_its_locked_messages_come_back_after_the_lock_duration()
    {
        string queue = await emulator.CreateQueueAsync(o => o.LockDuration = TimeSpan.FromSeconds(2));
        await using (ServiceBusSender sender = emulator.Client.CreateSender(queue))
        {
            await sender.SendMessageAsync(new ServiceBusMessage("held"));
        }

        var factory = new Microsoft.Azure.Amqp.AmqpConnectionFactory();
        Microsoft.Azure.Amqp.AmqpConnection connection = await factory.OpenConnectionAsync(
            new Uri($"amqp://RootManageSharedAccessKey:SAS_KEY_VALUE@127.0.0.1:{emulator.Host.AmqpPort}"), TimeSpan.FromSeconds(10));
        var session = connection.CreateSession(new Microsoft.Azure.Amqp.AmqpSessionSettings());
        await session.OpenAsync(TimeSpan.FromSeconds(10));
        var link = new Microsoft.Azure.Amqp.ReceivingAmqpLink(session, new Microsoft.Azure.Amqp.AmqpLinkSettings
        {
            LinkName = "dropped-receiver",
            Role = true,
            SettleType = Microsoft.Azure.Amqp.SettleMode.SettleOnDispose,
            Source = new Microsoft.Azure.Amqp.Framing.Source { Address = queue },
            Target = new Microsoft.Azure.Amqp.Framing.Target { Address = "dropped" },
            TotalLinkCredit = 10,
            AutoSendFlow = true,
        });
        await link.OpenAsync(TimeSpan.FromSeconds(10));
        Microsoft.Azure.Amqp.AmqpMessage received = await link.ReceiveMessageAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(received);
        Assert.Equal(1, (await emulator.StatsAsync(queue)).GetProperty("receiverLinks").GetInt32());

        connection.Abort();
        await Eventually.TrueAsync(async () => (await emulator.StatsAsync(queue)).GetProperty("receiverLinks").GetInt32() == 0);

        await using ServiceBusReceiver receiver = emulator.Client.CreateReceiver(queue);
        ServiceBusReceivedMessage again = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(30)))!;
        Assert.Equal("held", again.Body.ToString());
        Assert.Equal(2, again.DeliveryCount);
    }
}
