using System.Text.Json;
using Amazon.SQS.Model;
using MassTransit;
using Persisters.Transports.AmazonSqs.Tests.Messages;
using Persisters.Transports.AmazonSqs.Tests.Support;

namespace Persisters.Transports.AmazonSqs.Tests;

public sealed class When_consumers_fail
{
    [Fact]
    public async Task After_the_retries_the_message_lands_in_the_error_queue_with_fault_headers()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var attempts = 0;
        var bus = Bus.Factory.CreateUsingAmazonSqs(cfg =>
        {
            SqsTestServer.ConfigureHost(cfg, prefix);
            cfg.ReceiveEndpoint("faulty", e =>
            {
                e.UseMessageRetry(r => r.Immediate(2));
                e.Handler<Ping>(context =>
                {
                    Interlocked.Increment(ref attempts);
                    throw new InvalidOperationException($"boom {context.Message.Number}");
                });
            });
        });
        await bus.StartAsync(TestContext.Current());
        Message moved;
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:faulty"));
            await endpoint.Send(new Ping(7));
            moved = await ReceiveOne(prefix + "faulty_error");
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }

        Assert.Equal(3, attempts);
        Assert.Contains("System.InvalidOperationException", moved.MessageAttributes["MT-Fault-ExceptionType"].StringValue);
        Assert.Equal("boom 7", moved.MessageAttributes["MT-Fault-Message"].StringValue);
        Assert.Equal("application/vnd.masstransit+json", moved.MessageAttributes["Content-Type"].StringValue);
        Assert.True(moved.MessageAttributes.Count <= 10);
        using var headers = JsonDocument.Parse(moved.MessageAttributes["MT-Headers"].StringValue);
        Assert.Contains(nameof(When_consumers_fail), headers.RootElement.GetProperty("MT-Fault-StackTrace").GetString());
        using var body = JsonDocument.Parse(moved.Body);
        Assert.Equal(7, body.RootElement.GetProperty("message").GetProperty("number").GetInt32());

        // The original is gone from the input queue (deleted after the move), not waiting to be redelivered.
        using var sqs = SqsTestServer.CreateClient();
        var url = (await sqs.GetQueueUrlAsync(prefix + "faulty")).QueueUrl;
        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest
        {
            QueueUrl = url,
            AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        });
        Assert.Equal(0, attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible);
    }

    [Fact]
    public async Task Delayed_redelivery_sends_the_message_again_with_its_redelivery_count()
    {
        var prefix = SqsTestServer.UniquePrefix();
        var delivered = new Collector<Ping>();
        var attempts = 0;
        var bus = Bus.Factory.CreateUsingAmazonSqs(cfg =>
        {
            SqsTestServer.ConfigureHost(cfg, prefix);
            cfg.UseDelayedMessageScheduler();
            cfg.ReceiveEndpoint("flaky", e =>
            {
                e.UseDelayedRedelivery(r => r.Intervals(TimeSpan.FromSeconds(1)));
                e.Handler<Ping>(context =>
                {
                    if (Interlocked.Increment(ref attempts) == 1)
                        throw new InvalidOperationException("first try fails");
                    delivered.Add(context);
                    return Task.CompletedTask;
                });
            });
        });
        await bus.StartAsync(TestContext.Current());
        try
        {
            var endpoint = await bus.GetSendEndpoint(new Uri("queue:flaky"));
            await endpoint.Send(new Ping(1));
            await delivered.WaitFor(1);
            var second = Assert.Single(delivered.Items);
            Assert.Equal(1, second.GetRedeliveryCount());
            Assert.Equal(2, attempts);
        }
        finally
        {
            await bus.StopAsync(TestContext.Current());
        }
    }

    internal static async Task<Message> ReceiveOne(string physicalQueueName, int waitSeconds = 30)
    {
        using var sqs = SqsTestServer.CreateClient();
        var url = (await sqs.GetQueueUrlAsync(physicalQueueName)).QueueUrl;
        var deadline = DateTime.UtcNow.AddSeconds(waitSeconds);
        while (DateTime.UtcNow < deadline)
        {
            var response = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = url,
                MaxNumberOfMessages = 1,
                WaitTimeSeconds = 2,
                MessageAttributeNames = ["All"],
            });
            if (response.Messages is { Count: > 0 } messages)
                return messages[0];
        }
        Assert.Fail($"No message arrived in {physicalQueueName} within {waitSeconds} s.");
        throw new InvalidOperationException("unreachable");
    }
}
