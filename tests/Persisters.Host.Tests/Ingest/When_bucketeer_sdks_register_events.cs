using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Contracts;
using Persisters.Host.Ingest;
using Persisters.Persistence;
using Persisters.Tests.Support;

namespace Persisters.Tests.Ingest;

public sealed class When_bucketeer_sdks_register_events
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private const string Env = Events.Env;
    private const string EvaluationType = "type.googleapis.com/bucketeer.event.client.EvaluationEvent";
    private const string GoalType = "type.googleapis.com/bucketeer.event.client.GoalEvent";
    private const string MetricsType = "type.googleapis.com/bucketeer.event.client.MetricsEvent";

    private static ExperimentDefinition FlagA() => Events.Experiment(Now, feature: "flag-a", version: 3, goal: "goal-x") with { VariationIds = ["var-true", "var-false"], BaselineVariationId = "var-true" };

    [Fact]
    public async Task The_real_javascript_sdk_delivers_its_evaluation_and_goal_events_and_gets_an_answer_it_accepts()
    {
        await using var server = await IngestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Persisters:GoalRetry:InitialInterval"] = "00:00:01", ["Persisters:GoalRetry:PollInterval"] = "00:00:01",
        }, kestrel: true);
        await server.SeedAsync(FlagA());
        var key = await server.CreateKeyAsync();
        var sdk = Path.Combine(RepositoryRoot(), "tests", "bucketeer-sdk");
        Assert.Equal(0, (await ChildProcess.RunAsync("bash", sdk, new Dictionary<string, string>(), HostCommand.Patience, Path.Combine(sdk, "install.sh"))).ExitCode);

        var (exit, output) = await ChildProcess.RunAsync("node", sdk, new Dictionary<string, string> { ["PERSISTERS_URL"] = server.Address!.ToString().TrimEnd('/'), ["API_KEY"] = key }, HostCommand.Patience, "drive.mjs");

        Assert.True(exit == 0, output);
        var result = JsonNode.Parse(output.Trim().Split('\n')[^1])!;
        Assert.True(result["variation"]!.GetValue<bool>(), output);
        Assert.Null(result["flushError"]);
        var request = Assert.Single(result["requests"]!.AsArray());
        Assert.Equal(200, request!["status"]!.GetValue<int>());
        Assert.Equal("{\"errors\":{}}", request["body"]!.GetValue<string>());
        var sent = request["sent"]!["events"]!.AsArray();
        string IdOf(string type) => sent.Single(e => e!["event"]!["@type"]!.GetValue<string>() == type)!["id"]!.GetValue<string>();
        var (evaluationId, goalId) = (IdOf(EvaluationType), IdOf(GoalType));
        Assert.Contains(sent, e => e!["event"]!["@type"]!.GetValue<string>() == MetricsType);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var db = server.Services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
            var evaluation = await db.EvaluationEvents.AsNoTracking().SingleOrDefaultAsync(e => e.Id == evaluationId);
            var goal = await db.GoalEvents.AsNoTracking().SingleOrDefaultAsync(g => g.Id == goalId);
            if (evaluation is not null && goal is not null)
            {
                Assert.Equal((Env, "flag-a", 3, "user-1", "var-true", "RULE", "web"),
                    (evaluation.EnvironmentId, evaluation.FeatureId, evaluation.FeatureVersion, evaluation.UserId, evaluation.VariationId, evaluation.Reason, evaluation.Tag));
                Assert.Equal(("goal-x", 12.5, "var-true"), (goal.GoalId, goal.Value, goal.VariationId));
                Assert.Equal(2, await db.EvaluationEvents.CountAsync() + await db.GoalEvents.CountAsync());
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"rows not stored: evaluation {evaluation is not null}, goal {goal is not null}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Camel_and_snake_case_numeric_type_or_at_type_are_read_and_each_bad_event_gets_a_final_error()
    {
        await using var server = await IngestServer.StartAsync();
        await server.SeedAsync(FlagA());
        var key = await server.CreateKeyAsync();
        JsonObject Envelope(string id, int? type, JsonObject e) => type is { } t ? new() { ["id"] = id, ["type"] = t, ["event"] = e } : new() { ["id"] = id, ["event"] = e };
        var body = new JsonObject
        {
            ["events"] = new JsonArray(
                // camelCase, numeric type and @type (JS, Android, iOS)
                Envelope("camel", 3, new JsonObject { ["timestamp"] = Now, ["featureId"] = "flag-a", ["featureVersion"] = 3, ["userId"] = "u1", ["variationId"] = "var-true", ["reason"] = new JsonObject { ["type"] = "DEFAULT" }, ["sourceId"] = 7, ["@type"] = EvaluationType }),
                // snake_case, int64 as a string, no numeric type, no user_id but user.id (Go server SDK)
                Envelope("snake", null, new JsonObject { ["timestamp"] = Now.ToString(), ["feature_id"] = "flag-a", ["feature_version"] = "3", ["user"] = new JsonObject { ["id"] = "u2" }, ["variation_id"] = "var-false", ["reason"] = new JsonObject { ["type"] = 1 }, ["source_id"] = "GO_SERVER", ["@type"] = EvaluationType }),
                // numeric type only, no @type
                Envelope("typed", 3, new JsonObject { ["timestamp"] = Now, ["featureId"] = "flag-a", ["featureVersion"] = 3, ["userId"] = "u3", ["variationId"] = "var-true", ["reason"] = new JsonObject { ["type"] = "ERROR_FLAG_NOT_FOUND" } }),
                Envelope("metrics", 4, new JsonObject { ["timestamp"] = Now, ["event"] = new JsonObject { ["apiId"] = 2 }, ["@type"] = MetricsType }),
                Envelope("no-feature", 3, new JsonObject { ["timestamp"] = Now, ["userId"] = "u4", ["@type"] = EvaluationType }),
                Envelope("wrong-type", 3, new JsonObject { ["timestamp"] = "yesterday", ["featureId"] = "flag-a", ["userId"] = "u5", ["@type"] = EvaluationType }),
                Envelope("unknown", null, new JsonObject { ["@type"] = "type.googleapis.com/bucketeer.event.client.UserEvent" }),
                Envelope("goal-nan", 1, new JsonObject { ["timestamp"] = Now, ["goal_id"] = "goal-x", ["user_id"] = "u1", ["value"] = "NaN", ["@type"] = GoalType })),
            ["sdkVersion"] = "2.6.1",
            ["sourceId"] = 7,
        };

        var response = await server.PostAsync(RegisterEventsEndpoint.Path, body.ToJsonString(), key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var errors = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["goal-nan", "no-feature", "unknown", "wrong-type"], errors.Select(e => e.Key).Order());
        Assert.All(errors, e => Assert.False(e.Value!["retriable"]!.GetValue<bool>()));
        Assert.StartsWith("missing_feature", errors["no-feature"]!["message"]!.GetValue<string>());
        Assert.StartsWith("invalid_value", errors["goal-nan"]!["message"]!.GetValue<string>());
        Assert.Contains("timestamp", errors["wrong-type"]!["message"]!.GetValue<string>());
        Assert.Equal(["camel", "snake", "typed"], await server.EvaluationIdsAsync(3));
        await using var db = server.Services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
        var rows = await db.EvaluationEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync();
        Assert.Equal([("u1", "DEFAULT", "JAVASCRIPT", "var-true"), ("u2", "RULE", "GOSERVER", "var-false"), ("u3", "ERROR", "UNKNOWN", "var-true")],
            rows.Select(r => (r.UserId, r.Reason, r.SourceId, r.VariationId)).ToList());
    }

    [Fact]
    public async Task A_browser_preflight_is_allowed_and_a_key_without_exactly_one_environment_is_refused()
    {
        await using var server = await IngestServer.StartAsync();
        var preflight = new HttpRequestMessage(HttpMethod.Options, RegisterEventsEndpoint.Path);
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        var answer = await server.Client.SendAsync(preflight);
        Assert.True(answer.IsSuccessStatusCode, answer.StatusCode.ToString());
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("authorization", string.Join(",", answer.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);

        var twoEnvironments = await server.CreateKeyAsync(ApiKeyRole.Ingest, "env-1", "env-2");
        var body = $"{{\"events\":[{{\"id\":\"x\",\"type\":1,\"event\":{{\"timestamp\":{Now},\"goalId\":\"g\",\"userId\":\"u\"}}}}]}}";
        Assert.Equal(HttpStatusCode.Forbidden, (await server.PostAsync(RegisterEventsEndpoint.Path, body, twoEnvironments)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await server.PostAsync(RegisterEventsEndpoint.Path, "{\"events\":[]}", await server.CreateKeyAsync())).StatusCode);
    }

    internal static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Persisters.sln"))) return d.FullName;
        }
        throw new InvalidOperationException("Persisters.sln not found above " + AppContext.BaseDirectory);
    }
}
