using System.Net.Http.Json;
using Amazon.SQS;
using Amazon.SQS.Model;
using MassTransit;

namespace Persisters.Transports.Conformance.Tests.Transports;

/// <summary>
/// The project's Amazon SQS transport (src/Transports/AmazonSqs) against the test SQS-compatible server
/// (scripts/sqs-server: local-aws-sqs behind a wrapper). One queue-name prefix per test is its namespace: every queue
/// and the publish fan-out scope live under it. Delays are SQS's own DelaySeconds (MassTransit's delayed scheduler sets
/// <c>SendContext.Delay</c>). The broker's view: ready messages from <c>ApproximateNumberOfMessages</c>, and the
/// ReceiveMessage calls the server served for the queue from the wrapper's request counter; SQS has no consumer registry.
/// </summary>
public sealed class AmazonSqsTransportUnderTest : IDurableTransportUnderTest
{
    /// <summary>SQS's limit for a message body plus its attributes.</summary>
    public const long MaxMessageSize = 256 * 1024;

    private AmazonSQSClient? _client;
    private HttpClient? _counter;

    public string Name => "AmazonSqs";
    public string Prefix { get; } = "cf" + Guid.NewGuid().ToString("N")[..10] + "-";

    public async Task InitializeAsync()
    {
        _client = new AmazonSQSClient(new Amazon.Runtime.BasicAWSCredentials(TestServers.SqsAccessKey, TestServers.SqsSecretKey),
            new AmazonSQSConfig { ServiceURL = TestServers.SqsUrl, AuthenticationRegion = TestServers.SqsRegion });
        _counter = new HttpClient { BaseAddress = new Uri(TestServers.SqsUrl), Timeout = TimeSpan.FromSeconds(10) };
        // Fails early, with the server's address, when it is down.
        await _client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = Prefix });
    }

    public void UseTransport(IBusRegistrationConfigurator x, Action<IBusRegistrationContext, IBusFactoryConfigurator> configure) =>
        x.UsingAmazonSqs((context, cfg) =>
        {
            cfg.Host(TestServers.SqsRegion, h =>
            {
                h.AccessKey(TestServers.SqsAccessKey);
                h.SecretKey(TestServers.SqsSecretKey);
                h.Config(new AmazonSQSConfig { ServiceURL = TestServers.SqsUrl });
                h.QueueNamePrefix(Prefix);
                // Each test's endpoints subscribe just before it publishes: no cached view of who subscribes.
                h.SubscriptionCacheDuration(TimeSpan.Zero);
            });
            configure(context, cfg);
        });

    public void AddScheduler(IBusRegistrationConfigurator x) => x.AddDelayedMessageScheduler();

    public void UseScheduler(IBusRegistrationContext context, IBusFactoryConfigurator cfg) => cfg.UseDelayedMessageScheduler();

    public MessageSizeLimit? SizeLimit => new(MaxMessageSize, SizeRefusal.SendFaults, @"more than the Amazon SQS limit of 262144 bytes");

    public async Task<QueueObservation> ObserveQueueAsync(string queue)
    {
        var client = _client ?? throw new InvalidOperationException("InitializeAsync first");
        var name = Prefix + queue;
        long? ready = 0;
        try
        {
            var url = (await client.GetQueueUrlAsync(name)).QueueUrl;
            var attributes = await client.GetQueueAttributesAsync(new GetQueueAttributesRequest
            {
                QueueUrl = url, AttributeNames = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            });
            // The test server (local-aws-sqs 2.0.2) also counts in-flight messages in ApproximateNumberOfMessages; real SQS
            // counts only visible ones. Visible = total - not visible gives the real SQS meaning on this server.
            ready = Math.Max(0, attributes.ApproximateNumberOfMessages - attributes.ApproximateNumberOfMessagesNotVisible);
        }
        catch (QueueDoesNotExistException)
        {
        }
        var counts = await _counter!.GetFromJsonAsync<Dictionary<string, long>>($"/__persisters/requests?queue={Uri.EscapeDataString(name)}") ?? [];
        return new QueueObservation(null, ready, counts.GetValueOrDefault("AmazonSQS.ReceiveMessage"));
    }

    public IReadOnlyDictionary<string, string> WorkerEnvironment => new Dictionary<string, string>
    {
        ["CONFORMANCE_TRANSPORT"] = "AmazonSqs",
        ["CONFORMANCE_SQS_URL"] = TestServers.SqsUrl,
        ["CONFORMANCE_SQS_PREFIX"] = Prefix,
        ["CONFORMANCE_SQS_VISIBILITY_TIMEOUT"] = "5",
    };

    /// <summary>The killed worker's message becomes visible again after its 5 s visibility timeout, then the next poll takes it.</summary>
    public TimeSpan RedeliveryTimeout => TimeSpan.FromSeconds(30);

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            try
            {
                var queues = await _client.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = Prefix });
                foreach (var url in queues.QueueUrls ?? []) await _client.DeleteQueueAsync(url);
            }
            catch (AmazonSQSException)
            {
                // best effort: a leftover prefixed queue is harmless to other tests
            }
            _client.Dispose();
        }
        _counter?.Dispose();
    }
}
