using System.Net.Http.Json;
using Amazon.SQS;
using MassTransit;

namespace Persisters.Transports.AmazonSqs.Tests.Support;

/// <summary>
/// The SQS-compatible test server: <c>scripts/services.sh up sqs &amp;&amp; eval "$(scripts/services.sh env)"</c> exports
/// PERSISTERS_TEST_SQS_URL. A missing variable fails the test with that command; it never skips.
/// </summary>
public static class SqsTestServer
{
    public const string Region = "us-east-1";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public static string Url =>
        Environment.GetEnvironmentVariable("PERSISTERS_TEST_SQS_URL") is { Length: > 0 } value
            ? value.TrimEnd('/')
            : throw new InvalidOperationException(
                "PERSISTERS_TEST_SQS_URL is not set. Start the SQS test server and export its settings: " +
                "scripts/services.sh up sqs && eval \"$(scripts/services.sh env)\" (scripts/test.sh does both).");

    /// <summary>A queue-name prefix no other test uses, so tests never see each other's queues or subscriptions.</summary>
    public static string UniquePrefix() => "t" + Guid.NewGuid().ToString("N")[..10] + "-";

    public static AmazonSQSClient CreateClient() =>
        new(new Amazon.Runtime.BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = Url, AuthenticationRegion = Region });

    public static void ConfigureHost(IAmazonSqsBusFactoryConfigurator cfg, string prefix, TimeSpan? subscriptionCache = null) =>
        cfg.Host(Region, h =>
        {
            h.AccessKey("test");
            h.SecretKey("test");
            h.Config(new AmazonSQSConfig { ServiceURL = Url });
            h.QueueNamePrefix(prefix);
            if (subscriptionCache is { } cache)
                h.SubscriptionCacheDuration(cache);
        });

    /// <summary>API calls the server has counted for one (physical) queue name, by X-Amz-Target.</summary>
    public static async Task<Dictionary<string, int>> RequestCounts(string physicalQueueName)
    {
        try
        {
            var counts = await Http.GetFromJsonAsync<Dictionary<string, int>>($"{Url}/__persisters/requests?queue={Uri.EscapeDataString(physicalQueueName)}");
            return counts ?? throw new InvalidOperationException("The SQS test server answered no request counts.");
        }
        catch (Exception exception) when (exception is HttpRequestException or System.Text.Json.JsonException)
        {
            throw new InvalidOperationException(
                "The SQS test server at " + Url + " has no request counter (GET /__persisters/requests): it runs an older " +
                "scripts/sqs-server/server.js. Restart it: scripts/services.sh down sqs && scripts/services.sh up sqs.", exception);
        }
    }

    public static async Task<int> RequestCount(string physicalQueueName, string action) =>
        (await RequestCounts(physicalQueueName)).GetValueOrDefault("AmazonSQS." + action);
}
