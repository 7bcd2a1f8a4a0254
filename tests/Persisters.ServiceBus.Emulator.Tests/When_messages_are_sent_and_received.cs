using Azure.Messaging.ServiceBus;

namespace Persisters.ServiceBus.Emulator.Tests;

[Collection(nameof(EmulatorCollection))]
public sealed class When_messages_are_sent_and_received(EmulatorFixture emulator)
{
    [Fact]
    public async Task A_sent_message_is_received_with_its_body_properties_and_broker_annotations()
    {
        string queue = await emulator.CreateQueueAsync();
        await using ServiceBusSender sender = emulator.Client.CreateSender(queue);
        var sent = new ServiceBusMessage(BinaryData.FromString("hello"))
        {
            MessageId = "m-1",
            CorrelationId = "c-1",
            Subject = "greeting",
            ContentType = "text/plain",
            ApplicationProperties = { ["tenant"] = "t-7", ["count"] = 3 },
        };
        await sender.SendMessageAsync(sent);

        await using ServiceBusReceiver receiver = emulator.Client.CreateReceiver(queue);
        ServiceBusReceivedMessage? received = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10));

        Assert.NotNull(received);
        Assert.Equal("hello", received.Body.ToString());
        Assert.Equal("m-1", received.MessageId);
        Assert.Equal("c-1", received.CorrelationId);
        Assert.Equal("greeting", received.Subject);
        Assert.Equal("text/plain", received.ContentType);
        Assert.Equal("t-7", received.ApplicationProperties["tenant"]);
        Assert.Equal(3, received.ApplicationProperties["count"]);
        Assert.Equal(1, received.DeliveryCount);
        Assert.Equal(1, received.SequenceNumber);
        Assert.NotEqual(default, received.LockToken);
        Assert.True(received.LockedUntil > DateTimeOffset.UtcNow);
        Assert.True(received.EnqueuedTime > DateTimeOffset.UtcNow.AddMinutes(-1));
        await receiver.CompleteMessageAsync(received);

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(300)));
    }
}

[Collection(nameof(EmulatorCollection))]
public sealed class When_messages_are_sent_in_batches(EmulatorFixture emulator)
{
    [Fact]
    public async Task A_message_batch_and_a_list_send_deliver_every_message_once_in_order()
    {
        string queue = await emulator.CreateQueueAsync();
        await using ServiceBusSender sender = emulator.Client.CreateSender(queue);
        using ServiceBusMessageBatch batch = await sender.CreateMessageBatchAsync();
        for (int i = 0; i < 50; i++)
        {
            Assert.True(batch.TryAddMessage(new ServiceBusMessage($"batch-{i}") { MessageId = $"b{i}" }));
        }

        await sender.SendMessagesAsync(batch);
        await sender.SendMessagesAsync(Enumerable.Range(0, 30).Select(i => new ServiceBusMessage($"list-{i}")));

        await using ServiceBusReceiver receiver = emulator.Client.CreateReceiver(queue, new ServiceBusReceiverOptions { PrefetchCount = 20 });
        var bodies = new List<string>();
        while (bodies.Count < 80)
        {
            IReadOnlyList<ServiceBusReceivedMessage> received = await receiver.ReceiveMessagesAsync(100, TimeSpan.FromSeconds(10));
            Assert.NotEmpty(received);
            foreach (ServiceBusReceivedMessage m in received)
            {
                bodies.Add(m.Body.ToString());
                await receiver.CompleteMessageAsync(m);
            }
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"batch-{i}").Concat(Enumerable.Range(0, 30).Select(i => $"list-{i}")), bodies);
        Assert.Empty(await receiver.ReceiveMessagesAsync(10, TimeSpan.FromMilliseconds(300)));
        var runtime = (await emulator.Admin.GetQueueRuntimePropertiesAsync(queue)).Value;
        Assert.Equal(0, runtime.ActiveMessageCount);
    }

    [Fact]
    public async Task Receive_and_delete_removes_messages_when_they_are_delivered()
    {
        string queue = await emulator.CreateQueueAsync();
        await using ServiceBusSender sender = emulator.Client.CreateSender(queue);
        await sender.SendMessagesAsync(Enumerable.Range(0, 5).Select(i => new ServiceBusMessage($"m{i}")));

        await using ServiceBusReceiver receiver = emulator.Client.CreateReceiver(queue, new ServiceBusReceiverOptions { ReceiveMode = ServiceBusReceiveMode.ReceiveAndDelete });
        var received = new List<ServiceBusReceivedMessage>();
        while (received.Count < 5)
        {
            received.AddRange(await receiver.ReceiveMessagesAsync(5, TimeSpan.FromSeconds(10)));
        }

        Assert.Equal(new[] { "m0", "m1", "m2", "m3", "m4" }, received.Select(m => m.Body.ToString()));
        var runtime = (await emulator.Admin.GetQueueRuntimePropertiesAsync(queue)).Value;
        Assert.Equal(0, runtime.TotalMessageCount);
    }

    [Fact]
    public async Task A_message_over_the_size_limit_is_refused_with_MessageSizeExceeded()
    {
        string queue = await emulator.CreateQueueAsync();
        await using ServiceBusSender sender = emulator.Client.CreateSender(queue);

        var tooLarge = new ServiceBusMessage(new byte[300 * 1024]);
        var error = await Assert.ThrowsAsync<ServiceBusException>(() => sender.SendMessageAsync(tooLarge));
        Assert.Equal(ServiceBusFailureReason.MessageSizeExceeded, error.Reason);

        using ServiceBusMessageBatch batch = await sender.CreateMessageBatchAsync();
        Assert.Equal(256 * 1024, batch.MaxSizeInBytes);
        Assert.False(batch.TryAddMessage(new ServiceBusMessage(new byte[300 * 1024])));

        await sender.SendMessageAsync(new ServiceBusMessage(new byte[200 * 1024]));
        var runtime = (await emulator.Admin.GetQueueRuntimePropertiesAsync(queue)).Value;
        Assert.Equal(1, runtime.ActiveMessageCount);
    }

    [Fact]
    public async Task Sending_to_or_receiving_from_a_missing_entity_fails_with_MessagingEntityNotFound()
    {
        await using ServiceBusSender sender = emulator.Client.CreateSender("no-such-queue");
        var sendError = await Assert.ThrowsAsync<ServiceBusException>(() => sender.SendMessageAsync(new ServiceBusMessage("x")));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, sendError.Reason);

        await using ServiceBusReceiver receiver = emulator.Client.CreateReceiver("no-such-queue");
        var receiveError = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, receiveError.Reason);
    }
}
