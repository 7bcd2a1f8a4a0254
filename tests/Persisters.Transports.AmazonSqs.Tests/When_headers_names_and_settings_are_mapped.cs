using System.Text;
using Amazon.SQS.Model;
using MassTransit;
using Persisters.Transports.AmazonSqs.Tests.Support;
using Persisters.Transports.AmazonSqs.Topology;
using Persisters.Transports.AmazonSqs.Transport;

namespace Persisters.Transports.AmazonSqs.Tests;

/// <summary>The parts that need no server: header mapping, queue names, addresses, settings checks.</summary>
public sealed class When_headers_names_and_settings_are_mapped
{
    [Fact]
    public void Headers_travel_in_one_attribute_and_come_back_typed()
    {
        var sent = new Dictionary<string, object?>
        {
            ["X-Tenant"] = "acme",
            ["MT-Redelivery-Count"] = 2,
            ["Big"] = 5_000_000_000L,
            ["Flag"] = true,
            ["When"] = new DateTime(2026, 11, 22, 10, 0, 0, DateTimeKind.Utc),
            ["Where"] = new Uri("amazonsqs://us-east-1/orders"),
            ["Nothing"] = null,
            ["Content-Type"] = "ignored/duplicate",
        };
        var attributes = SqsHeaders.ToAttributes(sent, "application/vnd.masstransit+json", base64: false, promoteFaultHeaders: false);

        Assert.Equal(["Content-Type", "MT-Headers"], attributes.Keys.Order().ToArray());
        Assert.Equal("application/vnd.masstransit+json", attributes["Content-Type"].StringValue);

        var received = SqsHeaders.FromAttributes(new Message { MessageId = "m", Body = "{}", MessageAttributes = attributes });
        Assert.Equal("acme", received["X-Tenant"]);
        Assert.Equal(2, received["MT-Redelivery-Count"]);
        Assert.Equal(5_000_000_000L, received["Big"]);
        Assert.Equal(true, received["Flag"]);
        Assert.Equal("2026-11-22T10:00:00.0000000Z", received["When"]);
        Assert.Equal("amazonsqs://us-east-1/orders", received["Where"]);
        Assert.Equal("application/vnd.masstransit+json", received["Content-Type"]);
        Assert.False(received.ContainsKey("Nothing"));
    }

    [Fact]
    public void Fault_headers_are_also_copied_to_their_own_attributes_within_the_limit_of_ten()
    {
        var headers = new Dictionary<string, object?>
        {
            ["MT-Fault-ExceptionType"] = "System.InvalidOperationException",
            ["MT-Fault-Message"] = new string('m', 5000),
            ["MT-Fault-StackTrace"] = "at somewhere",
            ["MT-Fault-Timestamp"] = "2026-11-22T10:00:00Z",
            ["MT-Fault-RetryCount"] = 3,
            ["MT-Fault-ConsumerType"] = "C",
            ["MT-Fault-MessageType"] = "M",
            ["MT-Reason"] = "fault",
        };
        var attributes = SqsHeaders.ToAttributes(headers, "application/json", base64: true, promoteFaultHeaders: true);

        Assert.True(attributes.Count <= 10);
        Assert.Equal("System.InvalidOperationException", attributes["MT-Fault-ExceptionType"].StringValue);
        Assert.Equal(1024, attributes["MT-Fault-Message"].StringValue.Length);
        Assert.Equal("3", attributes["MT-Fault-RetryCount"].StringValue);
        Assert.False(attributes.ContainsKey("MT-Fault-StackTrace"));
        Assert.Equal("base64", attributes["MT-Body-Encoding"].StringValue);
        Assert.Contains("at somewhere", attributes["MT-Headers"].StringValue);
    }

    [Fact]
    public void Binary_bodies_are_base64_and_text_bodies_are_kept_as_text()
    {
        var (text, textIsBase64) = SqsHeaders.EncodeBody(Encoding.UTF8.GetBytes("{\"a\":\"é\"}"), "application/vnd.masstransit+json");
        Assert.False(textIsBase64);
        Assert.Equal("{\"a\":\"é\"}", text);

        byte[] binary = [0, 1, 2, 255];
        var (encoded, isBase64) = SqsHeaders.EncodeBody(binary, "application/vnd.masstransit+bson");
        Assert.True(isBase64);
        var message = new Message
        {
            Body = encoded,
            MessageAttributes = new Dictionary<string, MessageAttributeValue>
            {
                ["MT-Body-Encoding"] = new() { DataType = "String", StringValue = "base64" },
            },
        };
        Assert.Equal(binary, SqsHeaders.DecodeBody(message));
    }

    [Fact]
    public void The_size_counts_body_and_every_attribute_name_type_and_value()
    {
        var attributes = new Dictionary<string, MessageAttributeValue> { ["ab"] = new() { DataType = "String", StringValue = "xyz" } };
        Assert.Equal(4 + 2 + 6 + 3, SqsHeaders.Size("body", attributes));
        Assert.Equal(2, SqsHeaders.Size("é", null));
    }

    [Fact]
    public void Physical_queue_names_get_the_prefix_valid_characters_and_at_most_80_characters()
    {
        var queues = new SqsBroker(new AmazonSqsHostSettings("us-east-1") { QueueNamePrefix = "prod-" }).Queues;
        Assert.Equal("prod-orders", queues.PhysicalName("orders"));
        Assert.Equal("prod-host-name-bus-abc", queues.PhysicalName("host.name:bus abc"));

        var longName = queues.PhysicalName(new string('q', 100));
        Assert.Equal(80, longName.Length);
        Assert.StartsWith("prod-qqq", longName);
        Assert.NotEqual(longName, queues.PhysicalName(new string('q', 101)));
        Assert.True(SqsQueues.IsTerminal("orders_error"));
        Assert.True(SqsQueues.IsTerminal("orders_skipped"));
        Assert.False(SqsQueues.IsTerminal("orders"));
    }

    [Fact]
    public void Addresses_name_queues_in_both_forms_and_publish_addresses_are_not_queues()
    {
        var host = new Uri("amazonsqs://us-east-1/");
        Assert.Equal("orders", SqsAddress.GetQueueName(new Uri("queue:orders")));
        Assert.Equal("orders", SqsAddress.GetQueueName(new Uri("queue:orders?durable=true")));
        Assert.Equal("orders", SqsAddress.GetQueueName(new Uri("amazonsqs://us-east-1/orders")));
        Assert.Equal(new Uri("amazonsqs://us-east-1/orders"), SqsAddress.ForQueue(host, "orders"));
        Assert.Throws<ArgumentException>(() => SqsAddress.GetQueueName(SqsAddress.ForPublish(host, "urn:message:A:B")));
        Assert.Throws<ArgumentException>(() => SqsAddress.GetQueueName(new Uri("rabbitmq://localhost/orders")));
    }

    [Fact]
    public void Subscription_tags_are_short_stable_and_distinct_per_message_type()
    {
        var a = SqsSubscriptions.SubscriptionTagKey("urn:message:Ns:A");
        Assert.Equal(a, SqsSubscriptions.SubscriptionTagKey("urn:message:Ns:A"));
        Assert.NotEqual(a, SqsSubscriptions.SubscriptionTagKey("urn:message:Ns:B"));
        Assert.True(a.Length <= 128);
        Assert.Matches("^mt-sub:[0-9a-f]{24}$", a);
    }

    [Theory]
    [InlineData("prod.", null, null, "may contain only letters, digits")]
    [InlineData("", "AKIA", null, "AccessKey and SecretKey must be given together")]
    [InlineData("", null, "secret", "AccessKey and SecretKey must be given together")]
    public void Bad_host_settings_are_refused_by_name(string prefix, string? accessKey, string? secretKey, string message)
    {
        var settings = new AmazonSqsHostSettings("us-east-1") { QueueNamePrefix = prefix, AccessKey = accessKey, SecretKey = secretKey };
        var refused = Assert.Throws<ConfigurationException>(settings.Validate);
        Assert.Contains(message, refused.Message);
    }

    [Fact]
    public void A_bus_without_a_host_is_refused_when_it_is_built()
    {
        var refused = Assert.ThrowsAny<ConfigurationException>(() => Bus.Factory.CreateUsingAmazonSqs(_ => { }));
        Assert.Contains("Host", refused.Message);
    }

    [Fact]
    public void A_missing_test_server_setting_fails_with_the_command_to_run()
    {
        var saved = Environment.GetEnvironmentVariable("PERSISTERS_TEST_SQS_URL");
        Environment.SetEnvironmentVariable("PERSISTERS_TEST_SQS_URL", null);
        try
        {
            var missing = Assert.Throws<InvalidOperationException>(() => SqsTestServer.Url);
            Assert.Contains("scripts/services.sh up sqs", missing.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PERSISTERS_TEST_SQS_URL", saved);
        }
    }
}
