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
