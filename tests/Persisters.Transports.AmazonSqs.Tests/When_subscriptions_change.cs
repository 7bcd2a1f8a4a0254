using Amazon.SQS.Model;
using MassTransit;
using Persisters.Transports.AmazonSqs.Tests.Messages;
using Persisters.Transports.AmazonSqs.Tests.Support;
using Persisters.Transports.AmazonSqs.Transport;

namespace Persisters.Transports.AmazonSqs.Tests;

public sealed class When_subscriptions_change
{
    [Fact]
    public async Task Queue_tags_follow_the_subscriptions_and_publishers_find_queues_by_them()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var settings = new AmazonSqsHostSettings(SqsTestServer.Region)
        {
            AccessKey = "test",
            SecretKey = "test",
            Config = new Amazon.SQS.AmazonSQSConfig { ServiceURL = SqsTestServer.Url },
            QueueNamePrefix = prefix,
            SubscriptionCacheDuration = TimeSpan.Zero,
        };
        var broker = new SqsBroker(settings);
        var url = await broker.Queues.GetQueueUrl("subscriber");

        await broker.Subscriptions.SetSubscriptions(url, ["urn:message:Ns:A", "urn:message:Ns:B"], CancellationToken.None);
        Assert.Equal([url], await broker.Subscriptions.GetSubscribers(["urn:message:Ns:A"], CancellationToken.None));
        Assert.Equal([url], await broker.Subscriptions.GetSubscribers(["urn:message:Ns:A", "urn:message:Ns:B"], CancellationToken.None)); // one copy

        await broker.Subscriptions.SetSubscriptions(url, ["urn:message:Ns:B"], CancellationToken.None);
        Assert.Empty(await broker.Subscriptions.GetSubscribers(["urn:message:Ns:A"], CancellationToken.None));
        Assert.Equal([url], await broker.Subscriptions.GetSubscribers(["urn:message:Ns:B"], CancellationToken.None));

        using var sqs = SqsTestServer.CreateClient();
        var tags = (await sqs.ListQueueTagsAsync(new ListQueueTagsRequest { QueueUrl = url })).Tags;
        Assert.Equal(2, tags.Count); // mt-scope and the one subscription left
        Assert.Equal("urn:message:Ns:B", tags[SqsSubscriptions.SubscriptionTagKey("urn:message:Ns:B")]);

        // A broker with another prefix does not see the queue even without a prefix filter of its own.
        var stranger = new SqsBroker(new AmazonSqsHostSettings(SqsTestServer.Region)
        {
            AccessKey = "test", SecretKey = "test", Config = new Amazon.SQS.AmazonSQSConfig { ServiceURL = SqsTestServer.Url },
            SubscriptionCacheDuration = TimeSpan.Zero,
        });
        Assert.DoesNotContain(url, await stranger.Subscriptions.GetSubscribers(["urn:message:Ns:B"], CancellationToken.None));
    }

    [Fact]
    public async Task A_publisher_in_another_process_sees_a_new_subscriber_only_after_its_cache_expires()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var pings = new Collector<Ping>();
        var publisher = Bus.Factory.CreateUsingAmazonSqs(cfg => SqsTestServer.ConfigureHost(cfg, prefix, TimeSpan.FromSeconds(3)));
        await publisher.StartAsync(TestContext.Current());
        IBusControl? consumer = null;
        try
        {
            await publisher.Publish(new Ping(1)); // nobody subscribes yet: caches "no subscribers"

            consumer = Bus.Factory.CreateUsingAmazonSqs(cfg =>
            {
                SqsTestServer.ConfigureHost(cfg, prefix);
                cfg.ReceiveEndpoint("late", e => e.Handler<Ping>(c =>
                {
                    pings.Add(c);
                    return Task.CompletedTask;
                }));
            });
            await consumer.StartAsync(TestContext.Current());

            await publisher.Publish(new Ping(2)); // within the window: still the cached answer
            await Task.Delay(TimeSpan.FromSeconds(3.5));
            await publisher.Publish(new Ping(3)); // after the window: found

            await pings.WaitFor(1);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Equal([3], pings.Items.Select(p => p.Message.Number).ToArray());
        }
        finally
        {
            if (consumer is not null)
                await consumer.StopAsync(TestContext.Current());
            await publisher.StopAsync(TestContext.Current());
        }
    }
}
