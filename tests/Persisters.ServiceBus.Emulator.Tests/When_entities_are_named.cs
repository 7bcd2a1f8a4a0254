using System.Net;
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Persisters.ServiceBus.Emulator.Security;

namespace Persisters.ServiceBus.Emulator.Tests;

/// <summary>
/// Service Bus's data-plane naming rules: every segment of a queue or topic path, and subscription and rule names, use
/// only letters, digits, '.', '-' and '_' (no rule about the first or last character: that one is Azure Resource
/// Manager's); paths at most 260 characters, subscription and rule names at most 50. The same rules hold on the HTTP
/// management API and on AMQP attach.
/// </summary>
[Collection(nameof(EmulatorCollection))]
public sealed class When_entities_are_named(EmulatorFixture emulator)
{
    private static string Unique() => Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Names_that_start_or_end_with_a_hyphen_period_or_underscore_are_created_and_used_over_amqp()
    {
        // MassTransit's topic for Fault<T>: "MassTransit/Fault--{namespace}/{type}--".
        string topic = $"MassTransit/Fault--Ns{Unique()}/Poison--";
        string subscription = "-consumer_error-";
        string queue = $"_q.{Unique()}-";
        await emulator.Admin.CreateQueueAsync(queue);
        await emulator.Admin.CreateTopicAsync(topic);
        await emulator.Admin.CreateSubscriptionAsync(
            new CreateSubscriptionOptions(topic, subscription),
            new CreateRuleOptions(".by-subject_", new CorrelationRuleFilter { Subject = "fault" }));
        Assert.True(await emulator.Admin.QueueExistsAsync(queue));
        Assert.True(await emulator.Admin.TopicExistsAsync(topic));
        Assert.True(await emulator.Admin.RuleExistsAsync(topic, subscription, ".by-subject_"));

        await using (ServiceBusSender toTopic = emulator.Client.CreateSender(topic))
        {
            await toTopic.SendMessageAsync(new ServiceBusMessage("to the fault topic") { Subject = "fault" });
        }

        await using (ServiceBusSender toQueue = emulator.Client.CreateSender(queue))
        {
            await toQueue.SendMessageAsync(new ServiceBusMessage("to the queue"));
        }

        await using ServiceBusReceiver fromSubscription = emulator.Client.CreateReceiver(topic, subscription);
        ServiceBusReceivedMessage fault = (await fromSubscription.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal("to the fault topic", fault.Body.ToString());
        await fromSubscription.DeadLetterMessageAsync(fault, "Test", "dead-lettered through a name ending in '-'");

        await using ServiceBusReceiver deadLetters = emulator.Client.CreateReceiver(topic, subscription, new ServiceBusReceiverOptions { SubQueue = SubQueue.DeadLetter });
        Assert.Equal("Test", (await deadLetters.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!.DeadLetterReason);

        await using ServiceBusReceiver fromQueue = emulator.Client.CreateReceiver(queue);
        Assert.Equal("to the queue", (await fromQueue.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!.Body.ToString());
    }

    [Theory]
    [InlineData("tilde~name")]
    [InlineData("space name")]
    [InlineData("Ns/Type--System/Int32::System/String--")]
    [InlineData("Ns/Outer+Inner")]
    [InlineData("empty//segment")]
    [InlineData("dollar$sign")]
    public async Task A_queue_or_topic_path_with_another_character_or_an_empty_segment_is_refused_over_http(string path)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => emulator.Admin.CreateQueueAsync(path));
        await Assert.ThrowsAsync<ArgumentException>(() => emulator.Admin.CreateTopicAsync(path));
        await Assert.ThrowsAsync<ArgumentException>(() => emulator.Admin.QueueExistsAsync(path));
    }

    [Theory]
    [InlineData("tilde~sub")]
    [InlineData("with/slash")]
    [InlineData("$dollar")]
    [InlineData("colon:sub")]
    public async Task A_subscription_or_rule_name_with_another_character_is_refused_over_http(string name)
    {
        string topic = "names-" + Unique();
        await emulator.Admin.CreateTopicAsync(topic);
        await emulator.Admin.CreateSubscriptionAsync(topic, "valid");

        await Assert.ThrowsAnyAsync<ArgumentException>(() => emulator.Admin.CreateSubscriptionAsync(topic, name));
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            emulator.Admin.CreateRuleAsync(topic, "valid", new CreateRuleOptions(name, new SqlRuleFilter("1=1"))));
        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            emulator.Admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(topic, "other"), new CreateRuleOptions(name)));
        Assert.False(await emulator.Admin.SubscriptionExistsAsync(topic, "other"));
    }

    [Fact]
    public async Task The_default_rule_name_is_the_only_rule_name_with_a_dollar_sign()
    {
        string topic = "names-" + Unique();
        await emulator.Admin.CreateTopicAsync(topic);
        await emulator.Admin.CreateSubscriptionAsync(topic, "sub");
        await emulator.Admin.DeleteRuleAsync(topic, "sub", RuleProperties.DefaultRuleName);
        await emulator.Admin.CreateRuleAsync(topic, "sub", new CreateRuleOptions(RuleProperties.DefaultRuleName, new SqlRuleFilter("1=1")));
        Assert.True(await emulator.Admin.RuleExistsAsync(topic, "sub", RuleProperties.DefaultRuleName));
    }

    [Theory]
    [InlineData(260, HttpStatusCode.OK)]
    [InlineData(261, HttpStatusCode.BadRequest)]
    public async Task A_queue_or_topic_path_is_at_most_260_characters_over_http(int length, HttpStatusCode expected)
    {
        // The SDK refuses a longer path before sending it; the server checks too.
        string path = "p" + Unique() + "/" + new string('a', length - 10);
        Assert.Equal(length, path.Length);
        Assert.Equal(expected, await GetAsync(path));
    }

    [Theory]
    [InlineData(50, HttpStatusCode.NotFound)]
    [InlineData(51, HttpStatusCode.BadRequest)]
    public async Task Subscription_and_rule_names_are_at_most_50_characters_over_http(int length, HttpStatusCode expected)
    {
        string topic = "names-" + Unique();
        await emulator.Admin.CreateTopicAsync(topic);
        await emulator.Admin.CreateSubscriptionAsync(topic, "sub");
        string name = new('s', length);
        Assert.Equal(expected, await GetAsync($"{topic}/Subscriptions/{name}"));
        Assert.Equal(expected, await GetAsync($"{topic}/Subscriptions/sub/Rules/{name}"));
    }

    [Theory]
    [InlineData("tilde~queue")]
    [InlineData("Ns/Outer+Inner")]
    [InlineData("empty//segment")]
    public async Task Sending_to_a_path_outside_the_rules_fails_on_attach_with_an_argument_error(string path)
    {
        await using ServiceBusSender sender = emulator.Client.CreateSender(path);
        await Assert.ThrowsAsync<ArgumentException>(() => sender.SendMessageAsync(new ServiceBusMessage("x")));
    }

    [Fact]
    public async Task Receiving_from_a_name_outside_the_rules_fails_on_attach_with_an_argument_error()
    {
        string topic = "names-" + Unique();
        await emulator.Admin.CreateTopicAsync(topic);
        await using ServiceBusReceiver badSubscription = emulator.Client.CreateReceiver(topic, "tilde~sub");
        await Assert.ThrowsAsync<ArgumentException>(() => badSubscription.ReceiveMessageAsync(TimeSpan.FromSeconds(1)));
        await using ServiceBusReceiver tooLong = emulator.Client.CreateReceiver(new string('q', 261));
        await Assert.ThrowsAsync<ArgumentException>(() => tooLong.ReceiveMessageAsync(TimeSpan.FromSeconds(1)));

        await using ServiceBusReceiver missing = emulator.Client.CreateReceiver(topic, "valid-but-missing-");
        var notFound = await Assert.ThrowsAsync<ServiceBusException>(() => missing.ReceiveMessageAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(ServiceBusFailureReason.MessagingEntityNotFound, notFound.Reason);
    }

    private async Task<HttpStatusCode> GetAsync(string path)
    {
        string uri = $"http://127.0.0.1:{emulator.Host.ManagementPort}/{path}?api-version=2021-05";
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("Authorization",
            SasAuthority.CreateToken(uri, "RootManageSharedAccessKey", "SAS_KEY_VALUE", TimeSpan.FromMinutes(5)));
        using HttpResponseMessage response = await emulator.Http.SendAsync(request);
        return response.StatusCode;
    }
}
