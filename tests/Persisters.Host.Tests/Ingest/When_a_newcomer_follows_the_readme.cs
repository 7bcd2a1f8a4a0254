using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Host.Ingest;
using Persisters.Persistence;
using Persisters.Tests.Support;

namespace Persisters.Tests.Ingest;

/// <summary>README "Send events over HTTP", step by step, on the real executable with the embedded default: a key, an experiment, events, rows.</summary>
public sealed class When_a_newcomer_follows_the_readme
{
    [Fact]
    public async Task A_key_from_keys_create_lets_curl_post_a_batch_and_its_events_become_rows()
    {
        var directory = Directory.CreateTempSubdirectory("persisters-readme-").FullName;
        var database = $"Data Source={Path.Combine(directory, "persisters.db")}";
        var env = new Dictionary<string, string?>
        {
            ["Database__ConnectionString"] = database, ["Persisters__ReconcileInterval"] = "00:00:01",
            ["Persisters__GoalRetry__InitialInterval"] = "00:00:01", ["Persisters__GoalRetry__PollInterval"] = "00:00:01"
        };
        var (created, output) = await HostCommand.RunAsync(env, "keys", "create", "--name", "me", "--role", "admin", "--environment", "prod");
        Assert.True(created == 0, output);
        var key = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal));
        var (ingestCreated, ingestOutput) = await HostCommand.RunAsync(env, "keys", "create", "--name", "gateway", "--environment", "prod");
        Assert.True(ingestCreated == 0, ingestOutput);
        var ingestKey = ingestOutput.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal));
        await using var host = HostCommand.Start(env);
        await host.WaitUntilReadyAsync();
        var services = new ServiceCollection().AddPersistersDatabase(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = database }).BuildServiceProvider();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var http = new HttpClient();

        // A live experiment in "prod", created over HTTP (the embedded default's in-memory bus reaches no other process); an ingest key may not.
        var notAdmin = await PostAsync(http, host.Port, "/v1/experiments", ingestKey,
            """{"environmentId":"prod","featureId":"checkout-button","featureVersion":1,"variationIds":["blue","green"],"goalIds":["purchase"]}""");
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        var invalid = await PostAsync(http, host.Port, "/v1/experiments", key, """{"environmentId":"prod","featureId":"checkout-button","variationIds":["blue","green"]}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.StatusCode);
        Assert.Contains("goal", await invalid.Content.ReadAsStringAsync());
        var experiment = await PostAsync(http, host.Port, "/v1/experiments", key,
            """{"environmentId":"prod","featureId":"checkout-button","featureVersion":1,"variationIds":["blue","green"],"goalIds":["purchase"]}""");
        var answer = await experiment.Content.ReadAsStringAsync();
        Assert.True(experiment.StatusCode == HttpStatusCode.OK, answer);
        Assert.Equal("Running", JsonNode.Parse(answer)!["status"]!.GetValue<string>());
        Assert.Equal(1, await services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext().Experiments.CountAsync());
        // As the README's NOW=$(date +%s), taken after the experiment started: it starts at the service's "now", and earlier events
        // are skipped as before_experiment_started.
        now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var body = $$"""
            {"evaluationEvents":[{"id":"ev-1","timestamp":{{now}},"featureId":"checkout-button","featureVersion":1,"userId":"alice","variationId":"green","reason":"Rule"},
                                 {"id":"ev-2","timestamp":{{now}},"featureId":"checkout-button","featureVersion":1,"userId":"bob","variationId":"blue","reason":"Rule"}],
             "goalEvents":[{"id":"goal-1","timestamp":{{now}},"goalId":"purchase","userId":"alice","value":19.99}]}
            """;
        var response = await PostAsync(http, host.Port, "/v1/events", key, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"accepted\":3,\"rejected\":[]}", await response.Content.ReadAsStringAsync());

        var deadline = DateTime.UtcNow + HostCommand.Patience;
        while (true)
        {
            await using var db = services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
            var rows = await db.EvaluationEvents.AsNoTracking().OrderBy(e => e.Id).Select(e => e.Id + ":" + e.VariationId).ToListAsync();
            var goals = await db.GoalEvents.AsNoTracking().Select(g => g.Id + ":" + g.VariationId).ToListAsync();
            if (rows.Count == 2 && goals.Count == 1)
            {
                Assert.Equal(["ev-1:green", "ev-2:blue"], rows);
                Assert.Equal(["goal-1:green"], goals);
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"rows {rows.Count}, goals {goals.Count}:\n{host.Output}");
            await Task.Delay(250);
        }
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{host.Port}/metrics");
        Assert.Contains("persisters_ingest_events_accepted_total{otel_scope_name=\"Persisters\",endpoint=\"v1_events\",kind=\"evaluation\"} 2", metrics);
        Assert.DoesNotContain(key, host.Output);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, int port, string path, string key, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}{path}") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {key}");
        return http.SendAsync(request);
    }
}
