using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Host.Ingest;
using Persisters.Persistence;

namespace Persisters.Tests.Api;

/// <summary>Results over HTTP: a calculation asked for now by the API, run by the real calculator, read back as JSON and as the SVG chart.</summary>
public sealed class When_results_are_read_over_http
{
    [Fact]
    public async Task A_requested_calculation_is_stored_and_served_as_the_document_with_its_time_and_as_a_chart_per_goal()
    {
        await using var api = await ApiServer.StartAsync();
        var id = await api.CreateRunningExperimentAsync();
        await ApiServer.ProblemAsync(await api.GetAsync($"/v1/experiments/{id}/results"), HttpStatusCode.NotFound);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // Evaluations first, then the goal: a goal whose user has no stored evaluation yet waits for the goal retry (not what this test is about).
        var evaluations = await api.PostAsync(EventsEndpoint.Path, $$"""
            {"evaluationEvents":[
              {"id":"e1","environmentId":"prod","timestamp":{{now}},"featureId":"checkout-button","featureVersion":1,"userId":"alice","variationId":"green","reason":"Rule"},
              {"id":"e2","environmentId":"prod","timestamp":{{now}},"featureId":"checkout-button","featureVersion":1,"userId":"bob","variationId":"blue","reason":"Rule"},
              {"id":"e3","environmentId":"prod","timestamp":{{now}},"featureId":"checkout-button","featureVersion":1,"userId":"carol","variationId":"blue","reason":"Rule"}]}
            """);
        Assert.Equal(HttpStatusCode.OK, evaluations.StatusCode);
        Assert.Equal(3, (await api.Server.EvaluationIdsAsync(3)).Count);
        var goals = await api.PostAsync(EventsEndpoint.Path,
            $$"""{"goalEvents":[{"id":"g1","environmentId":"prod","timestamp":{{now}},"goalId":"purchase","userId":"alice","value":19.99}]}""");
        Assert.Equal(HttpStatusCode.OK, goals.StatusCode);
        await WaitForGoalRowsAsync(api, 1);

        var requested = await ApiServer.JsonAsync(await api.PostAsync($"/v1/experiments/{id}/calculations"), HttpStatusCode.Accepted);
        Assert.Equal(id.ToString(), requested["experimentId"]!.GetValue<string>());
        var results = await WaitForResultsAsync(api, id);

        await using (var db = api.Server.Services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext())
        {
            var row = await db.ExperimentResults.AsNoTracking().SingleAsync(r => r.Id == id);
            Assert.Equal(row.UpdatedAt, results["calculatedAt"]!.GetValue<long>());
            var stored = JsonNode.Parse(row.Data)!.AsObject();
            results.AsObject().Remove("calculatedAt");
            Assert.True(JsonNode.DeepEquals(stored, results), $"served {results.ToJsonString()}\nstored {row.Data}");
        }
        var goal = Assert.Single(results["goals"]!.AsArray())!;
        Assert.Equal("purchase", goal["goalId"]!.GetValue<string>());
        Assert.Equal(3, results["totalEvaluationUserCount"]!.GetValue<long>());

        var chart = await api.GetAsync($"/v1/experiments/{id}/results/purchase.svg");
        Assert.Equal(HttpStatusCode.OK, chart.StatusCode);
        Assert.Equal("image/svg+xml", chart.Content.Headers.ContentType?.MediaType);
        var svg = await chart.Content.ReadAsStringAsync();
        Assert.StartsWith("<svg", svg);
        Assert.Contains("Goal purchase", svg);
        var noGoal = await ApiServer.ProblemAsync(await api.GetAsync($"/v1/experiments/{id}/results/signup.svg"), HttpStatusCode.NotFound);
        Assert.Contains("goals: purchase", noGoal["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Unknown_experiments_are_404_and_an_ingest_key_403()
    {
        await using var api = await ApiServer.StartAsync();
        var unknown = Guid.NewGuid();
        var problem = await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{unknown}/calculations"), HttpStatusCode.NotFound, "unknown experiment");
        Assert.Equal(unknown.ToString(), problem["experimentId"]!.GetValue<string>());
        await ApiServer.ProblemAsync(await api.GetAsync($"/v1/experiments/{unknown}/results"), HttpStatusCode.NotFound);
        await ApiServer.ProblemAsync(await api.GetAsync($"/v1/experiments/{unknown}/results/purchase.svg"), HttpStatusCode.NotFound);
        var id = await api.CreateRunningExperimentAsync();
        var ingestKey = await api.Server.CreateKeyAsync(ApiKeyRole.Ingest, ApiServer.Env);
        await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{id}/calculations", key: ingestKey), HttpStatusCode.Forbidden);
        await ApiServer.ProblemAsync(await api.SendAsync(HttpMethod.Get, $"/v1/experiments/{id}/results", null, key: null), HttpStatusCode.Unauthorized);
    }

    private static async Task WaitForGoalRowsAsync(ApiServer api, int expected)
    {
        var deadline = DateTime.UtcNow + Support.HostCommand.Patience;
        while (true)
        {
            await using var db = api.Server.Services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
            var count = await db.GoalEvents.CountAsync();
            if (count >= expected) return;
            Assert.True(DateTime.UtcNow < deadline, $"{count} goal rows after {Support.HostCommand.Patience.TotalSeconds} s, expected {expected}");
            await Task.Delay(50);
        }
    }

    private static async Task<JsonNode> WaitForResultsAsync(ApiServer api, Guid id)
    {
        var deadline = DateTime.UtcNow + Support.HostCommand.Patience;
        while (true)
        {
            var response = await api.GetAsync($"/v1/experiments/{id}/results");
            if (response.StatusCode == HttpStatusCode.OK) return await ApiServer.JsonAsync(response, HttpStatusCode.OK);
            Assert.True(DateTime.UtcNow < deadline, $"no results {Support.HostCommand.Patience.TotalSeconds} s after the calculation was asked for: {(int)response.StatusCode}");
            await Task.Delay(50);
        }
    }
}
