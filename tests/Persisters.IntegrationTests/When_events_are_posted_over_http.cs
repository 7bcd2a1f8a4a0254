using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Persisters.Host.Cli;
using Persisters.Host.Ingest;
using Persisters.IntegrationTests.Support;

namespace Persisters.IntegrationTests;

/// <summary>
/// Issue 13: <c>POST /v1/events</c> on the real host over real brokers and MariaDB. A 2xx means the broker accepted the events
/// (publisher confirms), a broker that does not accept gives 503 + Retry-After, and the same request sent again after the
/// outage stores each event exactly once.
/// </summary>
public sealed class When_events_are_posted_over_http
{
    private static async Task<string> CreateKeyAsync(ServiceUnderTest sut, string environment)
    {
        var (exit, output) = await sut.RunVerbAsync("keys", "create", "--name", "it", "--environment", environment);
        Assert.True(exit == 0, output);
        return output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal));
    }

    private static string Body(string prefix, string feature, int count, long now) => new JsonObject
    {
        ["evaluationEvents"] = new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject
        {
            ["id"] = $"{prefix}-{i}", ["timestamp"] = now, ["featureId"] = feature, ["featureVersion"] = 1, ["userId"] = $"user-{i}",
            ["variationId"] = i % 2 == 0 ? "A" : "B", ["reason"] = "Rule",
        })]),
    }.ToJsonString();

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, int port, string key, string body) =>
        http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}{EventsEndpoint.Path}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
            Headers = { { "Authorization", key } },
        });

    [Theory]
    [InlineData(Broker.RabbitMq)]
    [InlineData(Broker.AmazonSqs)]
    public async Task A_batch_posted_over_http_becomes_exactly_its_rows(Broker broker)
    {
        await using var sut = await ServiceUnderTest.CreateAsync(broker);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var experiment = SyntheticTraffic.Experiment("it", "http", now);
        await sut.SeedAsync(experiment);
        var key = await CreateKeyAsync(sut, experiment.EnvironmentId);
        await using var host = await sut.StartHostAsync();
        using var http = new HttpClient();

        var response = await PostAsync(http, host.Port, key, Body("h", experiment.FeatureId, 100, now));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"accepted\":100,\"rejected\":[]}", await response.Content.ReadAsStringAsync());
        Assert.Equal(100, await sut.WaitForCountAsync($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'", 100, TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public async Task A_broker_that_does_not_accept_gives_503_with_retry_after_and_the_retried_request_stores_each_event_once()
    {
        await using var sut = await ServiceUnderTest.CreateAsync();
        await using var broker = new TcpProxy(TestServers.RabbitMqHost, TestServers.RabbitMqPort);
        sut.Environment["Transport__RabbitMq__Port"] = broker.Port.ToString();
        sut.Environment["Ingest__PublishTimeout"] = "00:00:03";
        sut.Environment["Ingest__RetryAfter"] = "00:00:02";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var experiment = SyntheticTraffic.Experiment("it", "outage", now);
        await sut.SeedAsync(experiment);
        var key = await CreateKeyAsync(sut, experiment.EnvironmentId);
        await using var host = await sut.StartHostAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var count = $"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'";
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(http, host.Port, key, Body("before", experiment.FeatureId, 50, now))).StatusCode);
        Assert.Equal(50, await sut.WaitForCountAsync(count, 50, TimeSpan.FromMinutes(1)));

        // Frozen: the connection stays open but no confirm comes back; the request is answered within the publish timeout.
        broker.Freeze();
        var during = Body("during", experiment.FeatureId, 50, now);
        var frozen = await PostAsync(http, host.Port, key, during); // a request that hung would end in the client's timeout instead
        Assert.Equal(HttpStatusCode.ServiceUnavailable, frozen.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), frozen.Headers.RetryAfter?.Delta);

        // Stopped: refused connections; still 503, never a 2xx for events the broker did not take.
        broker.Refuse();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync(http, host.Port, key, during)).StatusCode);

        broker.Resume();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        HttpStatusCode status;
        do
        {
            await Task.Delay(500);
            status = (await PostAsync(http, host.Port, key, during)).StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(100, await sut.WaitForCountAsync(count, 100, TimeSpan.FromMinutes(1)));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a copy published during the outage and confirmed late would be a duplicate, never a second row
        Assert.Equal(100, await sut.Database.ScalarAsync(count));
    }
}
