using Amazon.SQS.Model;
using MassTransit;
using Persisters.Transports.AmazonSqs.Tests.Support;

namespace Persisters.Transports.AmazonSqs.Tests.Messages
{
    /// <summary>Only this file's tests subscribe to it, so unprefixed queues of other runs never take these copies.</summary>
    public record UnprefixedPing(Guid Run, int Number);
}

namespace Persisters.Transports.AmazonSqs.Tests
{
    using Messages;

    /// <summary>
    /// Field report: with no queue prefix (the documented default) every endpoint's start failed with TagQueue 400 "Tag values may
    /// only contain ..." on the repository's SQS server, because the empty prefix was written as an empty <c>mt-scope</c> tag value
    /// (which AWS documents as allowed, and the server refuses), and the bus never became ready. Isolation here comes from
    /// unique queue names and a message type of its own, not from a prefix.
    /// </summary>
    public sealed class When_no_queue_prefix_is_set
    {
        [Fact]
        public async Task Endpoints_start_with_a_non_empty_scope_tag_and_get_what_is_sent_and_published()
        {
            var run = Guid.NewGuid();
            var queue = "unprefixed-" + run.ToString("N")[..10];
            var pings = new Collector<UnprefixedPing>();
            var consumer = Bus.Factory.CreateUsingAmazonSqs(cfg =>
            {
                SqsTestServer.ConfigureHost(cfg, prefix: "");
                cfg.ReceiveEndpoint(queue, e => e.Handler<UnprefixedPing>(context =>
                {
                    if (context.Message.Run == run) pings.Add(context);
                    return Task.CompletedTask;
                }));
            });
            var publisher = Bus.Factory.CreateUsingAmazonSqs(cfg => SqsTestServer.ConfigureHost(cfg, prefix: "", subscriptionCache: TimeSpan.Zero));
            try
            {
                // Bounded: a bus whose endpoints cannot prepare their queues retries for ever.
                await consumer.StartAsync(TestContext.Current()).WaitAsync(TimeSpan.FromSeconds(60));
                await publisher.StartAsync(TestContext.Current()).WaitAsync(TimeSpan.FromSeconds(60));

                using var sqs = SqsTestServer.CreateClient();
                var url = (await sqs.GetQueueUrlAsync(queue)).QueueUrl;
                var tags = (await sqs.ListQueueTagsAsync(new ListQueueTagsRequest { QueueUrl = url })).Tags ?? [];
                Assert.True(tags.TryGetValue("mt-scope", out var scope) && scope.Length > 0, $"tags of {queue}: {string.Join(", ", tags)}");
                Assert.True(tags.Values.All(v => v.Length > 0), $"tags of {queue}: {string.Join(", ", tags)}");

                await (await publisher.GetSendEndpoint(new Uri($"queue:{queue}"))).Send(new UnprefixedPing(run, 1));
                await publisher.Publish(new UnprefixedPing(run, 2));

                await pings.WaitFor(2);
                Assert.Equal([1, 2], pings.Items.Select(p => p.Message.Number).Order());
            }
            finally
            {
                await publisher.StopAsync(TestContext.Current()).WaitAsync(TimeSpan.FromSeconds(60));
                await consumer.StopAsync(TestContext.Current()).WaitAsync(TimeSpan.FromSeconds(60));
                using var sqs = SqsTestServer.CreateClient();
                foreach (var name in new[] { queue, queue + "_error", queue + "_skipped" })
                {
                    try
                    {
                        await sqs.DeleteQueueAsync((await sqs.GetQueueUrlAsync(name)).QueueUrl);
                    }
                    catch (QueueDoesNotExistException)
                    {
                    }
                }
            }
        }
    }
}
