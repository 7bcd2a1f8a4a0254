using System.Text.Json;
using Amazon.SQS.Model;
using MassTransit;
using Persisters.Transports.AmazonSqs.Tests.Messages;
using Persisters.Transports.AmazonSqs.Tests.Support;

namespace Persisters.Transports.AmazonSqs.Tests;

public sealed class When_a_queue_prefix_is_set
{
    [Fact]
    public async Task Every_queue_carries_the_prefix_and_has_a_redrive_policy_to_its_error_queue()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var bus = Bus.Factory.CreateUsingAmazonSqs(cfg =>
        {
            SqsTestServer.ConfigureHost(cfg, prefix);
            cfg.ReceiveEndpoint("inbox", e => e.Handler<PriceChanged>(_ => Task.CompletedTask));
        });
        await bus.StartAsync(TestContext.Current());
        try
        {
            using var sqs = SqsTestServer.CreateClient();
            var listed = (await sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = prefix })).QueueUrls ?? [];
            var names = listed.Select(u => u[(u.LastIndexOf('/') + 1)..]).ToList();
            var listing = string.Join(", ", names);
            Assert.True(names.Contains(prefix + "inbox"), $"queues listed with the prefix: {listing}");
            Assert.True(names.Contains(prefix + "inbox_error"), $"queues listed with the prefix: {listing}");
            Assert.DoesNotContain("inbox", names);

            var inbox = (await sqs.GetQueueUrlAsync(prefix + "inbox")).QueueUrl;
            var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = inbox, AttributeNames = ["RedrivePolicy"] });
            Assert.True(attributes.Attributes?.ContainsKey("RedrivePolicy") == true,
                $"attributes of {prefix}inbox: {string.Join(", ", attributes.Attributes ?? new Dictionary<string, string>())}");
            using var redrive = JsonDocument.Parse(attributes.Attributes!["RedrivePolicy"]);
            Assert.EndsWith(":" + prefix + "inbox_error", redrive.RootElement.GetProperty("deadLetterTargetArn").GetString());

            var tags = (await sqs.ListQueueTagsAsync(new ListQueueTagsRequest { QueueUrl = inbox })).Tags ?? [];
            Assert.True(tags.TryGetValue("mt-scope", out var scope) && scope == prefix, $"tags of {prefix}inbox: {string.Join(", ", tags)}");
            Assert.Contains(tags, t => t.Key.StartsWith("mt-sub:") && t.Value.Contains("PriceChanged"));

            // A queue addressed by a send is created on demand, with the prefix too.
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:outbox"));
            await endpoint.Send(new Ping(1));
            var outbox = (await sqs.GetQueueUrlAsync(prefix + "outbox")).QueueUrl;
            var waiting = await WaitForMessages(sqs, outbox, 1, TimeSpan.FromSeconds(10));
            Assert.True(waiting == 1, $"{prefix}outbox holds {waiting} messages, expected 1");
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }

    /// <summary>
    /// ApproximateNumberOfMessages is, as its name says, approximate: SQS does not promise that a message counts in it
    /// the moment SendMessage has answered (nor did the test server, see quirk 5 in scripts/sqs-server/server.js). So
    /// read it until it reaches <paramref name="expected"/> (or more), for at most <paramref name="timeout"/>, and
    /// return the last count.
    /// </summary>
    private static async Task<int> WaitForMessages(Amazon.SQS.IAmazonSQS sqs, string queueUrl, int expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
            {
                QueueUrl = queueUrl,
                AttributeNames = ["ApproximateNumberOfMessages"],
            });
            var count = attributes.ApproximateNumberOfMessages;
            if (count >= expected || DateTime.UtcNow >= deadline)
                return count;
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }
}
