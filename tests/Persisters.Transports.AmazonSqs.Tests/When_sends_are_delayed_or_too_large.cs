using Amazon.SQS.Model;
using MassTransit;
using Persisters.Transports.AmazonSqs.Tests.Messages;
using Persisters.Transports.AmazonSqs.Tests.Support;

namespace Persisters.Transports.AmazonSqs.Tests;

public sealed class When_sends_are_delayed_or_too_large
{
    [Fact]
    public async Task A_delayed_send_arrives_after_its_delay_and_a_delay_over_15_minutes_is_refused()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var pings = new Collector<Ping>();
        var bus = Bus.Factory.CreateUsingAmazonSqs(cfg =>
        {
            SqsTestServer.ConfigureHost(cfg, prefix);
            cfg.ReceiveEndpoint("later", e => e.Handler<Ping>(c =>
            {
                pings.Add(c);
                return Task.CompletedTask;
            }));
        });
        await bus.StartAsync(TestContext.Current());
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:later"));
            await endpoint.Send(new Ping(1), c => c.Delay = TimeSpan.FromSeconds(5));
            // The delay is SQS's own: right after the send the queue holds the message as delayed, and nobody has it.
            using var sqs = SqsTestServer.CreateClient();
            var later = (await sqs.GetQueueUrlAsync(prefix + "later")).QueueUrl;
            var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
            {
                QueueUrl = later, AttributeNames = ["ApproximateNumberOfMessagesDelayed"],
            });
            Assert.Equal(1, attributes.ApproximateNumberOfMessagesDelayed);
            Assert.Equal(0, pings.Count);
            await pings.WaitFor(1);

            var refused = await Assert.ThrowsAsync<AmazonSqsDelayTooLongException>(() =>
                endpoint.Send(new Ping(2), c => c.Delay = TimeSpan.FromMinutes(16)));
            Assert.Contains(prefix + "later", refused.Message);
            Assert.Contains("durable scheduler", refused.Message);
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }

    [Fact]
    public async Task A_message_over_256_KiB_is_refused_naming_queue_size_and_limit_and_a_large_one_under_it_arrives()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var blobs = new Collector<Blob>();
        var bus = Bus.Factory.CreateUsingAmazonSqs(cfg =>
        {
            SqsTestServer.ConfigureHost(cfg, prefix);
            cfg.ReceiveEndpoint("blobs", e => e.Handler<Blob>(c =>
            {
                blobs.Add(c);
                return Task.CompletedTask;
            }));
        });
        await bus.StartAsync(TestContext.Current());
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:blobs"));
            var refused = await Assert.ThrowsAsync<AmazonSqsMessageTooLargeException>(() => endpoint.Send(new Blob(new string('x', 300_000))));
            Assert.Equal(prefix + "blobs", refused.QueueName);
            Assert.Equal(262_144, refused.Limit);
            Assert.True(refused.Size > 300_000);
            Assert.Contains(prefix + "blobs", refused.Message);
            Assert.Contains(refused.Size.ToString(), refused.Message);
            Assert.Contains("262144", refused.Message);

            await Assert.ThrowsAsync<AmazonSqsMessageTooLargeException>(() => bus.Publish(new Blob(new string('y', 300_000))));

            await endpoint.Send(new Blob(new string('z', 200_000)));
            await blobs.WaitFor(1);
            Assert.Equal(200_000, Assert.Single(blobs.Items).Message.Data.Length);
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }
}
