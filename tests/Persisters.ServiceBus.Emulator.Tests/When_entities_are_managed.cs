using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;

namespace Persisters.ServiceBus.Emulator.Tests;

[Collection(nameof(EmulatorCollection))]
public sealed class When_entities_are_managed(EmulatorFixture emulator)
{
    private static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Queues_are_created_read_updated_listed_and_deleted()
    {
        string name = Unique("crud");
        Assert.False(await emulator.Admin.QueueExistsAsync(name));
        QueueProperties created = await emulator.Admin.CreateQueueAsync(new CreateQueueOptions(name)
        {
            LockDuration = TimeSpan.FromSeconds(45),
            MaxDeliveryCount = 7,
            DefaultMessageTimeToLive = TimeSpan.FromHours(2),
            DeadLetteringOnMessageExpiration = true,
            UserMetadata = "meta",
        });
        Assert.Equal(name, created.Name);
        Assert.Equal(TimeSpan.FromSeconds(45), created.LockDuration);
        Assert.Equal(7, created.MaxDeliveryCount);
        Assert.True(await emulator.Admin.QueueExistsAsync(name));

        var conflict = await Assert.ThrowsAsync<ServiceBusException>(() => emulator.Admin.CreateQueueAsync(name));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityAlreadyExists, conflict.Reason);

        QueueProperties read = await emulator.Admin.GetQueueAsync(name);
        Assert.Equal(TimeSpan.FromHours(2), read.DefaultMessageTimeToLive);
        Assert.True(read.DeadLetteringOnMessageExpiration);
        Assert.Equal("meta", read.UserMetadata);
        read.MaxDeliveryCount = 3;
        read.LockDuration = TimeSpan.FromSeconds(20);
        QueueProperties updated = await emulator.Admin.UpdateQueueAsync(read);
        Assert.Equal(3, updated.MaxDeliveryCount);
        Assert.Equal(TimeSpan.FromSeconds(20), (await emulator.Admin.GetQueueAsync(name)).Value.LockDuration);

        var names = new List<string>();
        await foreach (QueueProperties q in emulator.Admin.GetQueuesAsync())
        {
            names.Add(q.Name);
        }

        Assert.Contains(name, names);
        await emulator.Admin.DeleteQueueAsync(name);
        Assert.False(await emulator.Admin.QueueExistsAsync(name));
        var missing = await Assert.ThrowsAsync<ServiceBusException>(() => emulator.Admin.GetQueueAsync(name));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, missing.Reason);
        var deleteMissing = await Assert.ThrowsAsync<ServiceBusException>(() => emulator.Admin.DeleteQueueAsync(name));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, deleteMissing.Reason);
    }

    [Fact]
    public async Task Invalid_settings_are_refused_with_an_argument_error()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => emulator.Admin.CreateQueueAsync(new CreateQueueOptions(Unique("bad")) { LockDuration = TimeSpan.FromMinutes(6) }));
        await Assert.ThrowsAsync<ArgumentException>(() => emulator.Admin.CreateQueueAsync(new CreateQueueOptions(Unique("bad")) { ForwardTo = "no-such-queue" }));
    }

    [Fact]
    public async Task Topics_subscriptions_and_rules_are_managed()
    {
        string topic = Unique("My.Namespace") + "/Subscriptions-Like/Topic";
        Assert.False(await emulator.Admin.TopicExistsAsync(topic));
        await emulator.Admin.CreateTopicAsync(new CreateTopicOptions(topic) { DefaultMessageTimeToLive = TimeSpan.FromDays(1) });
        Assert.True(await emulator.Admin.TopicExistsAsync(topic));
        Assert.Equal(TimeSpan.FromDays(1), (await emulator.Admin.GetTopicAsync(topic)).Value.DefaultMessageTimeToLive);

        string queue = await emulator.CreateQueueAsync();
        SubscriptionProperties sub = await emulator.Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "sub") { ForwardTo = queue, MaxDeliveryCount = 4 });
        Assert.Equal("sub", sub.SubscriptionName);
        Assert.Equal(topic, sub.TopicName);
        Assert.EndsWith("/" + queue, sub.ForwardTo);
        Assert.True(await emulator.Admin.SubscriptionExistsAsync(topic, "sub"));
        Assert.False(await emulator.Admin.SubscriptionExistsAsync(topic, "other"));

        var rules = new List<RuleProperties>();
        await foreach (RuleProperties r in emulator.Admin.GetRulesAsync(topic, "sub")) { rules.Add(r); }
        Assert.Equal(RuleProperties.DefaultRuleName, Assert.Single(rules).Name);
        Assert.IsType<TrueRuleFilter>(rules[0].Filter);

        await emulator.Admin.CreateRuleAsync(topic, "sub", new CreateRuleOptions("by-type", new CorrelationRuleFilter { Subject = "A", ApplicationProperties = { ["n"] = 1 } }));
        RuleProperties rule = await emulator.Admin.GetRuleAsync(topic, "sub", "by-type");
        var filter = Assert.IsType<CorrelationRuleFilter>(rule.Filter);
        Assert.Equal("A", filter.Subject);
        Assert.Equal(1, filter.ApplicationProperties["n"]);
        await emulator.Admin.DeleteRuleAsync(topic, "sub", RuleProperties.DefaultRuleName);
        Assert.False(await emulator.Admin.RuleExistsAsync(topic, "sub", RuleProperties.DefaultRuleName));

        var subscriptions = new List<string>();
        await foreach (SubscriptionProperties s in emulator.Admin.GetSubscriptionsAsync(topic)) { subscriptions.Add(s.SubscriptionName); }
        Assert.Equal(new[] { "sub" }, subscriptions);

        await emulator.Admin.DeleteSubscriptionAsync(topic, "sub");
        Assert.False(await emulator.Admin.SubscriptionExistsAsync(topic, "sub"));
        await emulator.Admin.DeleteTopicAsync(topic);
        Assert.False(await emulator.Admin.TopicExistsAsync(topic));
    }

    [Fact]
    public async Task Runtime_properties_count_active_scheduled_and_dead_lettered_messages()
    {
        string queue = await emulator.CreateQueueAsync();
        await using ServiceBusSender sender = emulator.Client.CreateSender(queue);
        await sender.SendMessagesAsync(new[] { new ServiceBusMessage("a"), new ServiceBusMessage("b"), new ServiceBusMessage("c") });
        await sender.ScheduleMessageAsync(new ServiceBusMessage("later"), DateTimeOffset.UtcNow.AddHours(1));
        await using ServiceBusReceiver receiver = emulator.Client.CreateReceiver(queue);
        ServiceBusReceivedMessage m = (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        await receiver.DeadLetterMessageAsync(m);

        QueueRuntimeProperties runtime = await emulator.Admin.GetQueueRuntimePropertiesAsync(queue);
        Assert.Equal(2, runtime.ActiveMessageCount);
        Assert.Equal(1, runtime.ScheduledMessageCount);
        Assert.Equal(1, runtime.DeadLetterMessageCount);
        Assert.Equal(4, runtime.TotalMessageCount);
        Assert.True(runtime.SizeInBytes > 0);
    }

    [Fact]
    public async Task Namespace_properties_are_served()
    {
        NamespaceProperties properties = await emulator.Admin.GetNamespacePropertiesAsync();
        Assert.Equal("sbemulatorns", properties.Name);
        Assert.Equal(MessagingSku.Standard, properties.MessagingSku);
    }
}
