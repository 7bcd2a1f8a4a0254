using System.Net;
using Persisters.Host.Ingest;

namespace Persisters.Tests.Api;

/// <summary>The auto-ops rule routes of the operator API against the real rule consumer: every answer and its reasons verbatim.</summary>
public sealed class When_auto_ops_rules_are_operated_over_http
{
    private static string Rule(Guid ruleId, string feature = "checkout-button", string clauseId = "", double threshold = 0.5) =>
        $$"""
        {"ruleId":"{{ruleId}}","environmentId":"{{ApiServer.Env}}","featureId":"{{feature}}","featureVersion":1,
         "clauses":[{{{(clauseId.Length > 0 ? $"\"clauseId\":\"{clauseId}\"," : "")}}"variationId":"green","goalId":"error","minCount":50,"threshold":{{threshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"operator":"GreaterOrEqual"}]}
        """;

    [Fact]
    public async Task A_rule_is_created_listed_stopped_and_deleted_with_each_answer_of_the_rule_consumer()
    {
        await using var api = await ApiServer.StartAsync();
        var id = Guid.NewGuid();
        var clause = Guid.NewGuid().ToString();

        var created = await ApiServer.JsonAsync(await api.PostAsync("/v1/auto-ops-rules", Rule(id, clauseId: clause)), HttpStatusCode.OK);
        Assert.Equal((id.ToString(), "CreateEventRateRule", "Waiting", false, "created"),
            (created["ruleId"]!.GetValue<string>(), created["command"]!.GetValue<string>(), created["status"]!.GetValue<string>(),
                created["deleted"]!.GetValue<bool>(), created["detail"]!.GetValue<string>()));
        var again = await ApiServer.JsonAsync(await api.PostAsync("/v1/auto-ops-rules", Rule(id, clauseId: clause)), HttpStatusCode.OK);
        Assert.Equal("already exists", again["detail"]!.GetValue<string>());

        var listed = Assert.Single((await ApiServer.JsonAsync(await api.GetAsync("/v1/auto-ops-rules"), HttpStatusCode.OK)).AsArray())!;
        Assert.Equal(id.ToString(), listed["ruleId"]!.GetValue<string>());
        var listedClause = Assert.Single(listed["clauses"]!.AsArray())!;
        Assert.Equal((clause, "green", "error", 50L, 0.5, "GreaterOrEqual", "Disable"), (listedClause["clauseId"]!.GetValue<string>(),
            listedClause["variationId"]!.GetValue<string>(), listedClause["goalId"]!.GetValue<string>(), listedClause["minCount"]!.GetValue<long>(),
            listedClause["threshold"]!.GetValue<double>(), listedClause["operator"]!.GetValue<string>(), listedClause["action"]!.GetValue<string>()));
        var one = await ApiServer.JsonAsync(await api.GetAsync($"/v1/auto-ops-rules/{id}"), HttpStatusCode.OK);
        Assert.Equal("Waiting", one["status"]!.GetValue<string>());

        var stopped = await ApiServer.JsonAsync(await api.PostAsync($"/v1/auto-ops-rules/{id}/stop"), HttpStatusCode.OK);
        Assert.Equal(("Stopped", "stopped"), (stopped["status"]!.GetValue<string>(), stopped["detail"]!.GetValue<string>()));
        var stoppedAgain = await ApiServer.JsonAsync(await api.PostAsync($"/v1/auto-ops-rules/{id}/stop"), HttpStatusCode.OK);
        Assert.Equal("already stopped", stoppedAgain["detail"]!.GetValue<string>());

        var deleted = await ApiServer.JsonAsync(await api.DeleteAsync($"/v1/auto-ops-rules/{id}"), HttpStatusCode.OK);
        Assert.Equal((true, "deleted"), (deleted["deleted"]!.GetValue<bool>(), deleted["detail"]!.GetValue<string>()));
        Assert.Equal("already deleted", (await ApiServer.JsonAsync(await api.DeleteAsync($"/v1/auto-ops-rules/{id}"), HttpStatusCode.OK))["detail"]!.GetValue<string>());
        var problem = await ApiServer.ProblemAsync(await api.PostAsync($"/v1/auto-ops-rules/{id}/stop"), HttpStatusCode.Conflict, "a deleted rule cannot be stopped");
        Assert.Equal((id.ToString(), "Stopped"), (problem["ruleId"]!.GetValue<string>(), problem["ruleStatus"]!.GetValue<string>()));

        Assert.Empty((await ApiServer.JsonAsync(await api.GetAsync("/v1/auto-ops-rules"), HttpStatusCode.OK)).AsArray());
        Assert.True(Assert.Single((await ApiServer.JsonAsync(await api.GetAsync("/v1/auto-ops-rules?all=true"), HttpStatusCode.OK)).AsArray())!["deleted"]!.GetValue<bool>());
        Assert.True((await ApiServer.JsonAsync(await api.GetAsync($"/v1/auto-ops-rules/{id}"), HttpStatusCode.OK))["deleted"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_invalid_rule_is_422_a_taken_id_or_clause_409_and_an_unknown_rule_404_each_with_the_consumers_reason()
    {
        await using var api = await ApiServer.StartAsync();
        await ApiServer.ProblemAsync(await api.PostAsync("/v1/auto-ops-rules", Rule(Guid.NewGuid(), threshold: 1.5)), HttpStatusCode.UnprocessableEntity,
            "clause 1: Threshold must be in (0, 1]");
        await ApiServer.ProblemAsync(await api.PostAsync("/v1/auto-ops-rules", Rule(Guid.NewGuid(), feature: "")), HttpStatusCode.UnprocessableEntity, "FeatureId is required");
        await ApiServer.ProblemAsync(await api.PostAsync("/v1/auto-ops-rules", "\"a rule\""), HttpStatusCode.BadRequest);

        var id = Guid.NewGuid();
        var clause = Guid.NewGuid();
        await ApiServer.JsonAsync(await api.PostAsync("/v1/auto-ops-rules", Rule(id, clauseId: clause.ToString())), HttpStatusCode.OK);
        await ApiServer.ProblemAsync(await api.PostAsync("/v1/auto-ops-rules", Rule(id, feature: "other")), HttpStatusCode.Conflict, "a different rule with this id exists");
        var other = Guid.NewGuid();
        await ApiServer.ProblemAsync(await api.PostAsync("/v1/auto-ops-rules", Rule(other, feature: "other", clauseId: clause.ToString())), HttpStatusCode.Conflict,
            $"ClauseId {clause} belongs to rule {id}; clause ids are unique across rules");

        var unknown = Guid.NewGuid();
        var stop = await ApiServer.ProblemAsync(await api.PostAsync($"/v1/auto-ops-rules/{unknown}/stop"), HttpStatusCode.NotFound, "no such rule");
        Assert.Equal(unknown.ToString(), stop["ruleId"]!.GetValue<string>());
        await ApiServer.ProblemAsync(await api.DeleteAsync($"/v1/auto-ops-rules/{unknown}"), HttpStatusCode.NotFound, "no such rule");
        await ApiServer.ProblemAsync(await api.GetAsync($"/v1/auto-ops-rules/{unknown}"), HttpStatusCode.NotFound, "no such rule");
    }

    [Fact]
    public async Task Without_a_key_it_is_401_and_with_an_ingest_key_or_for_another_environment_403()
    {
        await using var api = await ApiServer.StartAsync();
        var id = Guid.NewGuid();
        await ApiServer.JsonAsync(await api.PostAsync("/v1/auto-ops-rules", Rule(id)), HttpStatusCode.OK);
        var ingestKey = await api.Server.CreateKeyAsync(ApiKeyRole.Ingest, ApiServer.Env);
        var otherAdmin = await api.Server.CreateKeyAsync(ApiKeyRole.Admin, "staging");

        await ApiServer.ProblemAsync(await api.SendAsync(HttpMethod.Delete, $"/v1/auto-ops-rules/{id}", null, key: null), HttpStatusCode.Unauthorized);
        await ApiServer.ProblemAsync(await api.PostAsync("/v1/auto-ops-rules", Rule(Guid.NewGuid()), ingestKey), HttpStatusCode.Forbidden);
        await ApiServer.ProblemAsync(await api.PostAsync("/v1/auto-ops-rules", Rule(Guid.NewGuid()), otherAdmin), HttpStatusCode.Forbidden,
            $"this key may not act for environment '{ApiServer.Env}'");
        await ApiServer.ProblemAsync(await api.DeleteAsync($"/v1/auto-ops-rules/{id}", otherAdmin), HttpStatusCode.Forbidden);
        Assert.Empty((await ApiServer.JsonAsync(await api.GetAsync("/v1/auto-ops-rules", otherAdmin), HttpStatusCode.OK)).AsArray());
        Assert.Equal("Waiting", (await ApiServer.JsonAsync(await api.GetAsync($"/v1/auto-ops-rules/{id}"), HttpStatusCode.OK))["status"]!.GetValue<string>());
    }
}
