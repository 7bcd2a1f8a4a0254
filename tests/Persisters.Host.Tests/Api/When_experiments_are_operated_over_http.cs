using System.Net;
using Persisters.Host.Ingest;

namespace Persisters.Tests.Api;

/// <summary>The experiment routes of the operator API against the real lifecycle saga: every answer and the saga's reasons verbatim.</summary>
public sealed class When_experiments_are_operated_over_http
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [Fact]
    public async Task A_running_experiment_is_listed_stopped_force_stopped_and_archived_with_each_answer_of_the_saga()
    {
        await using var api = await ApiServer.StartAsync();
        var id = await api.CreateRunningExperimentAsync();

        var list = await ApiServer.JsonAsync(await api.GetAsync("/v1/experiments"), HttpStatusCode.OK);
        var listed = Assert.Single(list.AsArray())!;
        Assert.Equal(id.ToString(), listed["experimentId"]!.GetValue<string>());
        Assert.Equal("Running", listed["status"]!.GetValue<string>());
        Assert.Equal(["blue", "green"], listed["variationIds"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("blue", listed["baselineVariationId"]!.GetValue<string>());
        Assert.Equal(listed["startAt"]!.GetValue<long>() + 14 * 86_400L, listed["stopAt"]!.GetValue<long>());
        var one = await ApiServer.JsonAsync(await api.GetAsync($"/v1/experiments/{id}"), HttpStatusCode.OK);
        Assert.Equal("checkout-button", one["name"]!.GetValue<string>());

        var again = await ApiServer.JsonAsync(await api.PostAsync($"/v1/experiments/{id}/start"), HttpStatusCode.OK);
        Assert.Equal("already running", again["detail"]!.GetValue<string>());
        var archiveRunning = await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{id}/archive"), HttpStatusCode.Conflict,
            "only a finished or force-stopped experiment can be archived; stop it first");
        Assert.Equal(id.ToString(), archiveRunning["experimentId"]!.GetValue<string>());
        Assert.Equal("Running", archiveRunning["experimentStatus"]!.GetValue<string>());

        var stopped = await ApiServer.JsonAsync(await api.PostAsync($"/v1/experiments/{id}/stop"), HttpStatusCode.OK);
        Assert.Equal(("Stopped", "stopped"), (stopped["status"]!.GetValue<string>(), stopped["detail"]!.GetValue<string>()));
        await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{id}/start"), HttpStatusCode.Conflict, "a stopped experiment cannot start again");
        await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{id}/period", $$"""{"startAt":{{Now - 10}},"stopAt":{{Now + 100}}}"""),
            HttpStatusCode.Conflict, "the period of a stopped experiment cannot change");

        var forced = await ApiServer.JsonAsync(await api.PostAsync($"/v1/experiments/{id}/force-stop"), HttpStatusCode.OK);
        Assert.Equal("ForceStopped", forced["status"]!.GetValue<string>());
        var archived = await ApiServer.JsonAsync(await api.PostAsync($"/v1/experiments/{id}/archive"), HttpStatusCode.OK);
        Assert.Equal("archived", archived["detail"]!.GetValue<string>());

        Assert.Empty((await ApiServer.JsonAsync(await api.GetAsync("/v1/experiments"), HttpStatusCode.OK)).AsArray());
        var all = await ApiServer.JsonAsync(await api.GetAsync("/v1/experiments?all=true"), HttpStatusCode.OK);
        Assert.True(Assert.Single(all.AsArray())!["archived"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_waiting_experiments_period_changes_and_an_invalid_period_is_422_with_the_sagas_reason()
    {
        await using var api = await ApiServer.StartAsync();
        var start = Now + 3600;
        var created = await ApiServer.JsonAsync(await api.PostAsync("/v1/experiments",
            $$"""{"environmentId":"{{ApiServer.Env}}","featureId":"f","featureVersion":1,"variationIds":["a","b"],"goalIds":["g"],"startAt":{{start}},"stopAt":{{start + 600}}}"""),
            HttpStatusCode.OK);
        Assert.Equal(("Waiting", "created"), (created["status"]!.GetValue<string>(), created["detail"]!.GetValue<string>()));
        var id = created["experimentId"]!.GetValue<string>();

        var changed = await ApiServer.JsonAsync(await api.PostAsync($"/v1/experiments/{id}/period", $$"""{"startAt":{{start + 60}},"stopAt":{{start + 900}}}"""), HttpStatusCode.OK);
        Assert.Equal("period changed", changed["detail"]!.GetValue<string>());
        var stored = await ApiServer.JsonAsync(await api.GetAsync($"/v1/experiments/{id}"), HttpStatusCode.OK);
        Assert.Equal((start + 60, start + 900), (stored["startAt"]!.GetValue<long>(), stored["stopAt"]!.GetValue<long>()));

        var problem = await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{id}/period", $$"""{"startAt":{{start}},"stopAt":{{start}}}"""),
            HttpStatusCode.UnprocessableEntity, $"stop_at ({start}) must be after start_at ({start})");
        Assert.Equal("ChangeExperimentPeriod", problem["command"]!.GetValue<string>());
        await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{id}/period", "[1,2]"), HttpStatusCode.BadRequest);
        await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{id}/period", "{\"startAt\":"), HttpStatusCode.BadRequest);

        var started = await ApiServer.JsonAsync(await api.PostAsync($"/v1/experiments/{id}/start"), HttpStatusCode.OK);
        Assert.Equal(("Running", "started"), (started["status"]!.GetValue<string>(), started["detail"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Unknown_experiments_are_404_invalid_creates_422_and_a_taken_id_409()
    {
        await using var api = await ApiServer.StartAsync();
        var unknown = Guid.NewGuid();
        foreach (var verb in new[] { "start", "stop", "force-stop", "archive" })
        {
            var problem = await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{unknown}/{verb}"), HttpStatusCode.NotFound, "unknown experiment");
            Assert.Equal(unknown.ToString(), problem["experimentId"]!.GetValue<string>());
        }
        await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{unknown}/period", $$"""{"startAt":{{Now}},"stopAt":{{Now + 60}}}"""), HttpStatusCode.NotFound, "unknown experiment");
        await ApiServer.ProblemAsync(await api.GetAsync($"/v1/experiments/{unknown}"), HttpStatusCode.NotFound);

        await ApiServer.ProblemAsync(await api.PostAsync("/v1/experiments",
            $$"""{"environmentId":"{{ApiServer.Env}}","featureId":"f","featureVersion":1,"variationIds":["a","b"],"goalIds":[]}"""), HttpStatusCode.UnprocessableEntity, "no goals");
        var id = await api.CreateRunningExperimentAsync();
        await ApiServer.ProblemAsync(await api.PostAsync("/v1/experiments",
            $$"""{"experimentId":"{{id}}","environmentId":"{{ApiServer.Env}}","featureId":"other","featureVersion":1,"variationIds":["a"],"goalIds":["g"]}"""),
            HttpStatusCode.Conflict, "another experiment already has this id");
    }

    [Fact]
    public async Task Without_a_key_it_is_401_with_an_ingest_key_or_another_environments_admin_key_403()
    {
        await using var api = await ApiServer.StartAsync();
        var id = await api.CreateRunningExperimentAsync();
        var ingestKey = await api.Server.CreateKeyAsync(ApiKeyRole.Ingest, ApiServer.Env);
        var otherAdmin = await api.Server.CreateKeyAsync(ApiKeyRole.Admin, "staging");

        await ApiServer.ProblemAsync(await api.SendAsync(HttpMethod.Get, "/v1/experiments", null, key: null), HttpStatusCode.Unauthorized);
        await ApiServer.ProblemAsync(await api.SendAsync(HttpMethod.Post, $"/v1/experiments/{id}/stop", null, key: null), HttpStatusCode.Unauthorized);
        await ApiServer.ProblemAsync(await api.GetAsync("/v1/experiments", ingestKey), HttpStatusCode.Forbidden);
        await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{id}/stop", key: ingestKey), HttpStatusCode.Forbidden);
        await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{id}/stop", key: otherAdmin), HttpStatusCode.Forbidden,
            $"this key may not act for environment '{ApiServer.Env}'");
        Assert.Empty((await ApiServer.JsonAsync(await api.GetAsync("/v1/experiments", otherAdmin), HttpStatusCode.OK)).AsArray());
        await ApiServer.ProblemAsync(await api.GetAsync($"/v1/experiments/{id}", otherAdmin), HttpStatusCode.NotFound);

        var still = await ApiServer.JsonAsync(await api.GetAsync($"/v1/experiments/{id}"), HttpStatusCode.OK);
        Assert.Equal("Running", still["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_lifecycle_that_gives_no_answer_is_504_for_create_and_for_every_command()
    {
        await using var api = await ApiServer.StartAsync(new Dictionary<string, string?> { ["Ingest:PublishTimeout"] = "00:00:01" });
        var id = await api.CreateRunningExperimentAsync();
        // The saga's endpoint was named at start; from now on the API sends to a queue that nothing consumes.
        api.Server.App.Configuration["ExperimentLifecycle:EndpointName"] = "nobody-consumes-this";

        var create = await ApiServer.ProblemAsync(await api.PostAsync("/v1/experiments",
            $$"""{"environmentId":"{{ApiServer.Env}}","featureId":"f","featureVersion":1,"variationIds":["a"],"goalIds":["g"]}"""), HttpStatusCode.GatewayTimeout);
        Assert.Contains("gave no answer within 1 s", create["detail"]!.GetValue<string>());
        foreach (var verb in new[] { "start", "stop", "force-stop", "archive" })
            await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{id}/{verb}"), HttpStatusCode.GatewayTimeout);
        await ApiServer.ProblemAsync(await api.PostAsync($"/v1/experiments/{id}/period", $$"""{"startAt":{{Now}},"stopAt":{{Now + 60}}}"""), HttpStatusCode.GatewayTimeout);

        var unchanged = await ApiServer.JsonAsync(await api.GetAsync($"/v1/experiments/{id}"), HttpStatusCode.OK);
        Assert.Equal("Running", unchanged["status"]!.GetValue<string>());
    }
}
