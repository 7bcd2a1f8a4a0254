using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Host.Ingest;
using Persisters.Persistence;
using Persisters.Tests.Support;

namespace Persisters.Tests.Ingest;

/// <summary>README "Send events over HTTP", step by step, on the real executable with the embedded default.</summary>
public sealed class When_a_newcomer_follows_the_readme
{
    [Fact]
    public async Task A_key_from_keys_create_lets_curl_post_a_batch_and_its_events_become_rows()
    {
        var directory = Directory.CreateTempSubdirectory("persisters-readme-").FullName;
        var database = $"Data Source={Path.Combine(directory, "persisters.db")}";
        var env = new Dictionary<string, string?> { ["Database__ConnectionString"] = database, ["Persisters__ReconcileInterval"] = "00:00:01",
            ["Persisters__GoalRetry__InitialInterval"] = "00:00:01", ["Persisters__GoalRetry__PollInterval"] = "00:00:01" };
        var (created, output) = await HostCommand.RunAsync(env, "keys", "create", "--name", "my-gateway", "--environment", "prod");
        Assert.True(created == 0, output);
        var key = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(ApiKeys.Prefix, StringComparison.Ordinal));
        await using var host = HostCommand.Start(env);
        await host.WaitUntilReadyAsync();
        // A live experiment in "prod" (issue 14 gives this an HTTP command; here it is written where the service reads it).
        var services = new ServiceCollection().AddPersistersDatabase(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = database }).BuildServiceProvider();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await services.GetRequiredService<DefinitionStore>().UpsertExperimentAsync(
            Events.Experiment(now, feature: "checkout-button", goal: "purchase") with { EnvironmentId = "prod", VariationIds = ["blue", "green"], BaselineVariationId = "blue" },
            now, CancellationToken.None);

        using var http = new HttpClient();
        var body = $$"""
            {"evaluationEvents":[{"id":"ev-1","timestamp":{{now}},"featureId":"checkout-button","featureVersion":1,"userId":"alice","variationId":"green","reason":"Rule"},
                                 {"id":"ev-2","timestamp":{{now}},"featureId":"checkout-button","featureVersion":1,"userId":"bob","variationId":"blue","reason":"Rule"}],
             "goalEvents":[{"id":"goal-1","timestamp":{{now}},"goalId":"purchase","userId":"alice","value":19.99}]}
            """;
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{host.Port}/v1/events") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {key}");
        var response = await http.SendAsync(request);
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
}
