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
        JsonElement stats = await emulator.StatsAsync(queue);
        Assert.Equal(0, stats.GetProperty("receiverLinks").GetInt32());
        Assert.Equal(200, stats.GetProperty("completed").GetInt64());
        Assert.Equal(0, stats.GetProperty("activeMessages").GetInt64() + stats.GetProperty("lockedMessages").GetInt64());
    }
}
