using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;

namespace Persisters.ServiceBus.Emulator.Tests;

[Collection(nameof(EmulatorCollection))]
public sealed class When_topics_fan_out(EmulatorFixture emulator)
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<List<ServiceBusReceivedMessage>> Drain(string queue, int expected)
    {
        await using ServiceBusReceiver receiver = emulator.Client.CreateReceiver(queue);
        var all = new List<ServiceBusReceivedMessage>();
        while (all.Count < expected)
        {
            IReadOnlyList<ServiceBusReceivedMessage> batch = await receiver.ReceiveMessagesAsync(expected, TimeSpan.FromSeconds(10));
            Assert.NotEmpty(batch);
            foreach (ServiceBusReceivedMessage m in batch)
            {
                await receiver.CompleteMessageAsync(m);
            }

            all.AddRange(batch);
        }

        Assert.Empty(await receiver.ReceiveMessagesAsync(10, TimeSpan.FromMilliseconds(300)));
        return all;
    }

    [Fact]
    public async Task Each_forwarding_subscription_delivers_a_copy_to_its_queue()
    {
        // MassTransit names topics after message types, with '/' between namespace and type.
        string topic = Unique("Persisters.Contracts") + "/OrderPlaced";
        string queueA = await emulator.CreateQueueAsync();
        string queueB = await emulator.CreateQueueAsync();
        await emulator.Admin.CreateTopicAsync(topic);
        await emulator.Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "a") { ForwardTo = queueA });
        await emulator.Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "b") { ForwardTo = queueB });

        await using ServiceBusSender sender = emulator.Client.CreateSender(topic);
        await sender.SendMessagesAsync(Enumerable.Range(0, 10).Select(i => new ServiceBusMessage($"e{i}") { MessageId = $"id{i}" }));

        List<ServiceBusReceivedMessage> a = await Drain(queueA, 10);
        List<ServiceBusReceivedMessage> b = await Drain(queueB, 10);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"id{i}"), a.Select(m => m.MessageId));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"id{i}"), b.Select(m => m.MessageId));
        Assert.Equal(0, (await emulator.Admin.GetSubscriptionRuntimePropertiesAsync(topic, "a")).Value.TotalMessageCount);
    }

    [Fact]
    public async Task Correlation_and_sql_filters_select_messages_by_properties()
    {
        string topic = Unique("t");
        await emulator.Admin.CreateTopicAsync(topic);
        await emulator.Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "by-subject"),
            new CreateRuleOptions("subject", new CorrelationRuleFilter { Subject = "order", ApplicationProperties = { ["region"] = "eu" } }));
        await emulator.Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "by-sql"),
            new CreateRuleOptions("sql", new SqlRuleFilter("amount > 100 AND sys.Label LIKE 'ord%' AND region IN ('eu', 'us')")));
        await emulator.Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "nothing"),
            new CreateRuleOptions("none", new FalseRuleFilter()));

        await using ServiceBusSender sender = emulator.Client.CreateSender(topic);
        await sender.SendMessagesAsync(new[]
        {
            new ServiceBusMessage("1") { Subject = "order", ApplicationProperties = { ["region"] = "eu", ["amount"] = 50 } },
            new ServiceBusMessage("2") { Subject = "order", ApplicationProperties = { ["region"] = "us", ["amount"] = 500 } },
            new ServiceBusMessage("3") { Subject = "refund", ApplicationProperties = { ["region"] = "eu", ["amount"] = 500L } },
            new ServiceBusMessage("4") { Subject = "order", ApplicationProperties = { ["region"] = "eu", ["amount"] = 101.5 } },
        });

        Assert.Equal(new[] { "1", "4" }, await Bodies(topic, "by-subject", 2));
        Assert.Equal(new[] { "2", "4" }, await Bodies(topic, "by-sql", 2));
        Assert.Equal(0, (await emulator.Admin.GetSubscriptionRuntimePropertiesAsync(topic, "nothing")).Value.TotalMessageCount);
    }

    private async Task<string[]> Bodies(string topic, string subscription, int expected)
    {
        await using ServiceBusReceiver receiver = emulator.Client.CreateReceiver(topic, subscription);
        var bodies = new List<string>();
        while (bodies.Count < expected)
        {
            IReadOnlyList<ServiceBusReceivedMessage> batch = await receiver.ReceiveMessagesAsync(10, TimeSpan.FromSeconds(10));
            Assert.NotEmpty(batch);
            foreach (ServiceBusReceivedMessage m in batch)
            {
                bodies.Add(m.Body.ToString());
                await receiver.CompleteMessageAsync(m);
            }
        }

        Assert.Empty(await receiver.ReceiveMessagesAsync(10, TimeSpan.FromMilliseconds(300)));
        return bodies.ToArray();
    }

    [Fact]
    public async Task A_subscription_dead_letter_queue_is_addressable_and_a_forwarding_entity_refuses_receivers()
    {
        string topic = Unique("t");
        string queue = await emulator.CreateQueueAsync();
        await emulator.Admin.CreateTopicAsync(topic);
        await emulator.Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "plain") { MaxDeliveryCount = 1 });
        await emulator.Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "fwd") { ForwardTo = queue });

        await using ServiceBusSender sender = emulator.Client.CreateSender(topic);
        await sender.SendMessageAsync(new ServiceBusMessage("x") { MessageId = "x1" });

        await using ServiceBusReceiver receiver = emulator.Client.CreateReceiver(topic, "plain");
        ServiceBusReceivedMessage m = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        await receiver.AbandonMessageAsync(m);
        await using ServiceBusReceiver dlq = emulator.Client.CreateReceiver(topic, "plain", new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        ServiceBusReceivedMessage dead = (await dlq.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal("x1", dead.MessageId);
        Assert.Equal("MaxDeliveryCountExceeded", dead.DeadLetterReason);

        await using ServiceBusReceiver forwarding = emulator.Client.CreateReceiver(topic, "fwd");
        await Assert.ThrowsAsync<InvalidOperationException>(() => forwarding.ReceiveMessageAsync(TimeSpan.FromSeconds(5)));
        Assert.Single(await Drain(queue, 1));
    }

    [Fact]
    public async Task A_queue_forwards_to_another_queue_and_dead_letters_can_be_forwarded()
    {
        string target = await emulator.CreateQueueAsync();
        string parking = await emulator.CreateQueueAsync();
        string source = await emulator.CreateQueueAsync(o => o.ForwardTo = target);
        string poison = await emulator.CreateQueueAsync(o => o.ForwardDeadLetteredMessagesTo = parking);

        await using (ServiceBusSender sender = emulator.Client.CreateSender(source))
        {
            await sender.SendMessageAsync(new ServiceBusMessage("forwarded"));
        }

        Assert.Equal("forwarded", (await Drain(target, 1))[0].Body.ToString());

        await using (ServiceBusSender sender = emulator.Client.CreateSender(poison))
        {
            await sender.SendMessageAsync(new ServiceBusMessage("bad"));
        }

        await using ServiceBusReceiver receiver = emulator.Client.CreateReceiver(poison);
        ServiceBusReceivedMessage m = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        await receiver.DeadLetterMessageAsync(m, "Bad", "bad input");
        ServiceBusReceivedMessage parked = (await Drain(parking, 1))[0];
        Assert.Equal("Bad", parked.DeadLetterReason);
        Assert.Equal(poison, parked.DeadLetterSource);
    }

    [Fact]
    public async Task Scheduled_messages_wait_for_their_time_and_can_be_cancelled()
    {
        string topic = Unique("t");
        string queue = await emulator.CreateQueueAsync();
        await emulator.Admin.CreateTopicAsync(topic);
        await emulator.Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "s") { ForwardTo = queue });

        await using ServiceBusSender queueSender = emulator.Client.CreateSender(queue);
        long cancelled = await queueSender.ScheduleMessageAsync(new ServiceBusMessage("never"), DateTimeOffset.UtcNow.AddHours(1));
        await using ServiceBusReceiver peeker = emulator.Client.CreateReceiver(queue);
        ServiceBusReceivedMessage scheduled = (await peeker.PeekMessageAsync())!;
        Assert.Equal(ServiceBusMessageState.Scheduled, scheduled.State);
        Assert.Equal(cancelled, scheduled.SequenceNumber);
        Assert.Equal(1, (await emulator.Admin.GetQueueRuntimePropertiesAsync(queue)).Value.ScheduledMessageCount);
        await queueSender.CancelScheduledMessageAsync(cancelled);
        Assert.Null(await peeker.PeekMessageAsync(fromSequenceNumber: 1));
        var missing = await Assert.ThrowsAsync<ServiceBusException>(() => queueSender.CancelScheduledMessageAsync(cancelled));
        Assert.Equal(ServiceBusFailureReason.MessageNotFound, missing.Reason);

        await using ServiceBusSender topicSender = emulator.Client.CreateSender(topic);
        long topicCancelled = await topicSender.ScheduleMessageAsync(new ServiceBusMessage("topic-never"), DateTimeOffset.UtcNow.AddHours(1));
        await topicSender.CancelScheduledMessageAsync(topicCancelled);
        await topicSender.ScheduleMessageAsync(new ServiceBusMessage("soon"), DateTimeOffset.UtcNow.AddMilliseconds(500));
        ServiceBusReceivedMessage due = (await Drain(queue, 1))[0];
        Assert.Equal("soon", due.Body.ToString());
        Assert.Equal(ServiceBusMessageState.Active, due.State);
    }
}
