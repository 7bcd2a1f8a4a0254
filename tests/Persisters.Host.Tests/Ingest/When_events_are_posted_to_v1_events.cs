using System.Net;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Host.Ingest;
using Persisters.Tests.Support;

namespace Persisters.Tests.Ingest;

public sealed class When_events_are_posted_to_v1_events
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static JsonObject Evaluation(string id, string? feature = "flag-1", string variation = "A", string? environment = Events.Env) => new()
    {
        ["id"] = id, ["environmentId"] = environment, ["timestamp"] = Now, ["featureId"] = feature, ["featureVersion"] = 1,
        ["userId"] = "u-" + id, ["variationId"] = variation, ["reason"] = "Rule", ["sourceId"] = "Javascript", ["sdkVersion"] = "2.6.1",
        ["user"] = new JsonObject { ["id"] = "u-" + id, ["data"] = new JsonObject { ["plan"] = "pro" } },
    };

    private static string Body(IEnumerable<JsonNode> evaluations, IEnumerable<JsonNode>? goals = null) => new JsonObject
    {
        ["evaluationEvents"] = new JsonArray([.. evaluations]),
        ["goalEvents"] = new JsonArray([.. goals ?? []]),
    }.ToJsonString();

    [Fact]
    public async Task Accepted_events_become_rows_and_each_rejected_one_is_named_and_never_stored()
    {
        await using var server = await IngestServer.StartAsync();
        await server.SeedAsync(Events.Experiment(Now));
        var key = await server.CreateKeyAsync();
        var evaluations = new JsonNode[]
        {
            Evaluation("ok-1"),
            Evaluation("no-feature", feature: null),
            Evaluation("ok-2", variation: "B"),
            Evaluation("bad-type").Also(e => e["featureVersion"] = "not a number"),
            Evaluation("future").Also(e => e["timestamp"] = Now + 86_400),
            Evaluation("other-env", environment: "env-2"),
            Evaluation("ok-3", environment: null), // takes the key's one environment
        };
        var goals = new JsonNode[] { new JsonObject { ["id"] = "g-1", ["timestamp"] = Now, ["goalId"] = "goal-1", ["userId"] = "u-ok-1" } };

        var response = await server.PostAsync(EventsEndpoint.Path, Body(evaluations, goals), key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(4 == answer["accepted"]!.GetValue<int>(), answer.ToJsonString());
        var rejected = answer["rejected"]!.AsArray().Select(r => $"{r!["kind"]}:{r["index"]}:{r["id"]}:{r["reason"]}").ToList();
        Assert.Equal(
        [
            "evaluation:1:no-feature:missing_feature",
            "evaluation:3:bad-type:malformed_event",
            "evaluation:4:future:timestamp_in_future",
            "evaluation:5:other-env:environment_not_allowed",
        ], rejected);
        Assert.Contains("featureVersion", answer["rejected"]![1]!["message"]!.GetValue<string>());
        Assert.Equal(["ok-1", "ok-2", "ok-3"], await server.EvaluationIdsAsync(3));
        await Task.Delay(500); // a rejected event that had been published would be stored by now
        Assert.Equal(["ok-1", "ok-2", "ok-3"], await server.EvaluationIdsAsync(4));
    }

    [Fact]
    public async Task The_same_request_sent_twice_stores_each_event_once()
    {
        await using var server = await IngestServer.StartAsync();
        await server.SeedAsync(Events.Experiment(Now));
        var key = await server.CreateKeyAsync();
        var body = Body([Evaluation("r-1"), Evaluation("r-2")]);
        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync(EventsEndpoint.Path, body, key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync(EventsEndpoint.Path, body, key)).StatusCode);
        Assert.Equal(["r-1", "r-2"], await server.EvaluationIdsAsync(2));
        await Task.Delay(500);
        Assert.Equal(["r-1", "r-2"], await server.EvaluationIdsAsync(3));
    }

    [Theory]
    [InlineData("{\"evaluationEvents\":[{\"id\":\"a\",}]}", 1, 32)]
    [InlineData("{\n  \"goalEvents\": [\n    {\"id\": tru}\n  ]\n}", 3, 15)]
    [InlineData("", 1, 1)]
    public async Task Malformed_json_is_answered_400_naming_its_position(string body, int line, int byteInLine)
    {
        await using var server = await IngestServer.StartAsync();
        var response = await server.PostAsync(EventsEndpoint.Path, body, await server.CreateKeyAsync());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(line, problem["line"]!.GetValue<long>());
        Assert.Equal(byteInLine, problem["bytePositionInLine"]!.GetValue<long>());
        Assert.StartsWith($"malformed JSON at line {line}, byte {byteInLine}", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bodies_and_batches_over_the_limits_are_answered_413_and_deep_nesting_400()
    {
        await using var server = await IngestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Ingest:MaxRequestBodyBytes"] = "4096", ["Ingest:MaxEventsPerRequest"] = "3", ["Ingest:MaxJsonDepth"] = "8",
        });
        var key = await server.CreateKeyAsync();
        var tooMany = await server.PostAsync(EventsEndpoint.Path, Body(Enumerable.Range(0, 4).Select(i => (JsonNode)Evaluation($"m-{i}"))), key);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode);
        Assert.Contains("Ingest:MaxEventsPerRequest", await tooMany.Content.ReadAsStringAsync());
        var tooLarge = await server.PostAsync(EventsEndpoint.Path, Body([Evaluation("big").Also(e => e["tag"] = new string('x', 5000))]), key);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Contains("Ingest:MaxRequestBodyBytes", await tooLarge.Content.ReadAsStringAsync());
        var deep = await server.PostAsync(EventsEndpoint.Path, "{\"evaluationEvents\":[{\"metadata\":" + new string('[', 20) + new string(']', 20) + "}]}", key);
        Assert.Equal(HttpStatusCode.BadRequest, deep.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.PostAsync(EventsEndpoint.Path, Body([Evaluation("fits")]), key)).StatusCode);
    }

    [Fact]
    public async Task A_broker_that_is_not_running_is_answered_503_with_retry_after_and_nothing_is_stored()
    {
        await using var server = await IngestServer.StartAsync(new Dictionary<string, string?> { ["Ingest:RetryAfter"] = "00:00:07" });
        await server.SeedAsync(Events.Experiment(Now));
        var key = await server.CreateKeyAsync();
        var bus = server.Services.GetRequiredService<IBusControl>();
        await bus.StopAsync();

        var response = await server.PostAsync(EventsEndpoint.Path, Body([Evaluation("while-down")]), key);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Contains("send the request again", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Envelopes_are_split_by_the_bytes_of_their_events()
    {
        var events = Enumerable.Range(0, 7).Select(i => ($"e{i}", i == 3 ? 500 : 100)).ToList();
        var chunks = EventIngestor.Chunks(events, 300).Select(c => string.Join(",", c)).ToList();
        Assert.Equal(["e0,e1,e2", "e3", "e4,e5,e6"], chunks);
    }
}

internal static class JsonNodeExtensions
{
    public static JsonObject Also(this JsonObject o, Action<JsonObject> change)
    {
        change(o);
        return o;
    }
}
