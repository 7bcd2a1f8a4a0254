using Azure.Messaging.ServiceBus;

namespace Persisters.ServiceBus.Emulator.Tests;

[Collection(nameof(EmulatorCollection))]
public sealed class When_messages_are_settled(EmulatorFixture emulator)
{
    private async Task<(string Queue, ServiceBusReceiver Receiver)> QueueWithOneMessage(Action<Azure.Messaging.ServiceBus.Administration.CreateQueueOptions>? configure = null)
    {
        string queue = await emulator.CreateQueueAsync(configure);
        await using ServiceBusSender sender = emulator.Client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("payload") { MessageId = "only" });
        return (queue, emulator.Client.CreateReceiver(queue));
    }

    [Fact]
    public async Task An_abandoned_message_is_redelivered_with_a_higher_delivery_count()
    {
        var (_, receiver) = await QueueWithOneMessage();
        await using var _ = receiver;
        ServiceBusReceivedMessage first = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        await receiver.AbandonMessageAsync(first, new Dictionary<string, object> { ["attempt"] = 1 });

        ServiceBusReceivedMessage second = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal(first.SequenceNumber, second.SequenceNumber);
        Assert.Equal(1, first.DeliveryCount);
        Assert.Equal(2, second.DeliveryCount);
        Assert.Equal(1, second.ApplicationProperties["attempt"]);
        Assert.NotEqual(first.LockToken, second.LockToken);

        var lost = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.CompleteMessageAsync(first));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, lost.Reason);
        await receiver.CompleteMessageAsync(second);
    }

    [Fact]
    public async Task A_dead_lettered_message_is_in_the_dead_letter_queue_with_its_reason_and_description()
    {
        var (queue, receiver) = await QueueWithOneMessage();
        await using var _ = receiver;
        ServiceBusReceivedMessage message = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        await receiver.DeadLetterMessageAsync(message, "PoisonMessage", "could not parse");

        await using ServiceBusReceiver dlq = emulator.Client.CreateReceiver(queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        ServiceBusReceivedMessage dead = (await dlq.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal("only", dead.MessageId);
        Assert.Equal("PoisonMessage", dead.DeadLetterReason);
        Assert.Equal("could not parse", dead.DeadLetterErrorDescription);
        Assert.Equal(message.SequenceNumber, dead.SequenceNumber);
        await dlq.CompleteMessageAsync(dead);

        var runtime = (await emulator.Admin.GetQueueRuntimePropertiesAsync(queue)).Value;
        Assert.Equal(0, runtime.ActiveMessageCount);
        Assert.Equal(0, runtime.DeadLetterMessageCount);
    }

    [Fact]
    public async Task A_message_abandoned_max_delivery_count_times_moves_to_the_dead_letter_queue()
    {
        var (queue, receiver) = await QueueWithOneMessage(o => o.MaxDeliveryCount = 3);
        await using var _ = receiver;
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            ServiceBusReceivedMessage m = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
            Assert.Equal(attempt, m.DeliveryCount);
            await receiver.AbandonMessageAsync(m);
        }

        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(300)));
        await using ServiceBusReceiver dlq = emulator.Client.CreateReceiver(queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        ServiceBusReceivedMessage dead = (await dlq.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal("MaxDeliveryCountExceeded", dead.DeadLetterReason);
        Assert.Equal("only", dead.MessageId);
        var runtime = (await emulator.Admin.GetQueueRuntimePropertiesAsync(queue)).Value;
        Assert.Equal(1, runtime.DeadLetterMessageCount);
    }

    [Fact]
    public async Task An_expired_lock_makes_the_message_available_again_and_the_old_lock_is_lost()
    {
        var (_, receiver) = await QueueWithOneMessage(o => o.LockDuration = TimeSpan.FromSeconds(1));
        await using var _ = receiver;
        ServiceBusReceivedMessage first = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;

        // Not settled: the next receive waits until the lock expires and the message is delivered again.
        ServiceBusReceivedMessage second = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(30)))!;
        Assert.Equal(first.SequenceNumber, second.SequenceNumber);
        Assert.Equal(2, second.DeliveryCount);

        var lost = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.CompleteMessageAsync(first));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, lost.Reason);
        await receiver.CompleteMessageAsync(second);
    }

    [Fact]
    public async Task Lock_expiry_counts_towards_max_delivery_count()
    {
        var (queue, receiver) = await QueueWithOneMessage(o => { o.LockDuration = TimeSpan.FromSeconds(1); o.MaxDeliveryCount = 1; });
        await using var _ = receiver;
        ServiceBusReceivedMessage first = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal(1, first.DeliveryCount);

        await using ServiceBusReceiver dlq = emulator.Client.CreateReceiver(queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        ServiceBusReceivedMessage dead = (await dlq.ReceiveMessageAsync(TimeSpan.FromSeconds(30)))!;
        Assert.Equal("MaxDeliveryCountExceeded", dead.DeadLetterReason);
    }

    [Fact]
    public async Task A_renewed_lock_is_extended_and_the_message_can_still_be_completed()
    {
        var (queue, receiver) = await QueueWithOneMessage(o => o.LockDuration = TimeSpan.FromSeconds(30));
        await using var _ = receiver;
        ServiceBusReceivedMessage message = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        DateTimeOffset before = message.LockedUntil;
        await Task.Delay(50);
        await receiver.RenewMessageLockAsync(message);
        Assert.True(message.LockedUntil > before, $"{message.LockedUntil:O} should be after {before:O}");
        await receiver.CompleteMessageAsync(message);

        var lost = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.RenewMessageLockAsync(message));
        Assert.Equal(ServiceBusFailureReason.MessageLockLost, lost.Reason);
        Assert.Equal(0, (await emulator.Admin.GetQueueRuntimePropertiesAsync(queue)).Value.TotalMessageCount);
    }

    [Fact]
    public async Task A_deferred_message_is_received_by_sequence_number()
    {
        var (_, receiver) = await QueueWithOneMessage();
        await using var _ = receiver;
        ServiceBusReceivedMessage message = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        await receiver.DeferMessageAsync(message);
        Assert.Null(await receiver.ReceiveMessageAsync(TimeSpan.FromMilliseconds(300)));

        ServiceBusReceivedMessage deferred = await receiver.ReceiveDeferredMessageAsync(message.SequenceNumber);
        Assert.Equal(ServiceBusMessageState.Deferred, deferred.State);
        Assert.Equal("only", deferred.MessageId);
        await receiver.CompleteMessageAsync(deferred);

        var missing = await Assert.ThrowsAsync<ServiceBusException>(() => receiver.ReceiveDeferredMessageAsync(message.SequenceNumber));
        Assert.Equal(ServiceBusFailureReason.MessageNotFound, missing.Reason);
    }

    [Fact]
    public async Task Peek_returns_messages_without_locking_them()
    {
        var (queue, receiver) = await QueueWithOneMessage();
        await using var _ = receiver;
        await using (ServiceBusSender sender = emulator.Client.CreateSender(queue))
        {
            await sender.SendMessageAsync(new ServiceBusMessage("second"));
        }

        IReadOnlyList<ServiceBusReceivedMessage> peeked = await receiver.PeekMessagesAsync(10);
        Assert.Equal(2, peeked.Count);
        Assert.Equal(new long[] { 1, 2 }, peeked.Select(m => m.SequenceNumber));
        Assert.All(peeked, m => Assert.Equal(0, m.DeliveryCount));

        ServiceBusReceivedMessage first = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal(1, first.DeliveryCount);
        Assert.Null(await receiver.PeekMessageAsync());
        Assert.Equal(2, (await receiver.PeekMessageAsync(fromSequenceNumber: 2))!.SequenceNumber);
    }
}

[Collection(nameof(EmulatorCollection))]
public sealed class When_messages_expire_or_repeat(EmulatorFixture emulator)
{
    [Fact]
    public async Task An_expired_message_is_dead_lettered_with_TTLExpiredException_when_the_queue_asks_for_it()
    {
        string queue = await emulator.CreateQueueAsync(o => o.DeadLetteringOnMessageExpiration = true);
        await using ServiceBusSender sender = emulator.Client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("short-lived") { TimeToLive = TimeSpan.FromMilliseconds(200) });
        await sender.SendMessageAsync(new ServiceBusMessage("long-lived"));

        await using ServiceBusReceiver dlq = emulator.Client.CreateReceiver(queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        ServiceBusReceivedMessage dead = (await dlq.ReceiveMessageAsync(TimeSpan.FromSeconds(30)))!;
        Assert.Equal("short-lived", dead.Body.ToString());
        Assert.Equal("TTLExpiredException", dead.DeadLetterReason);

        await using ServiceBusReceiver receiver = emulator.Client.CreateReceiver(queue);
        ServiceBusReceivedMessage live = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal("long-lived", live.Body.ToString());
        Assert.Equal(TimeSpan.MaxValue, live.TimeToLive);
    }

    [Fact]
    public async Task The_entity_default_time_to_live_caps_a_longer_message_time_to_live()
    {
        string queue = await emulator.CreateQueueAsync(o => { o.DefaultMessageTimeToLive = TimeSpan.FromSeconds(1); o.DeadLetteringOnMessageExpiration = true; });
        await using ServiceBusSender sender = emulator.Client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("x") { TimeToLive = TimeSpan.FromHours(1) });

        await using ServiceBusReceiver dlq = emulator.Client.CreateReceiver(queue, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        ServiceBusReceivedMessage dead = (await dlq.ReceiveMessageAsync(TimeSpan.FromSeconds(30)))!;
        Assert.Equal("TTLExpiredException", dead.DeadLetterReason);
    }

    [Fact]
    public async Task Duplicate_detection_drops_a_message_id_seen_within_the_window()
    {
        string queue = await emulator.CreateQueueAsync(o => { o.RequiresDuplicateDetection = true; o.DuplicateDetectionHistoryTimeWindow = TimeSpan.FromMinutes(1); });
        await using ServiceBusSender sender = emulator.Client.CreateSender(queue);
        await sender.SendMessageAsync(new ServiceBusMessage("first") { MessageId = "same" });
        await sender.SendMessageAsync(new ServiceBusMessage("second") { MessageId = "same" });
        await sender.SendMessageAsync(new ServiceBusMessage("other") { MessageId = "different" });

        var runtime = (await emulator.Admin.GetQueueRuntimePropertiesAsync(queue)).Value;
        Assert.Equal(2, runtime.ActiveMessageCount);
    }
}
