using System.Net;
using System.Text.Json.Nodes;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;

namespace Persisters.Tests.Cli;

/// <summary>
/// Issue 14.5: <c>experiments …</c> and <c>autoops …</c> talk to a running service's operator API over HTTP, so they work on every
/// transport (here the embedded default, in-memory, which no other process's bus can reach) and print their answer and nothing else
/// on standard output. Exit codes: 0 accepted, 1 rejected with the reason, 2 a bad option or key. The real <c>persisters</c> executable
/// runs against the real service (<see cref="RunningService"/>, one <c>persisters run</c> for the class); the lines are compared with
/// what its API answers. Exits 3, 4 and 5 (answers a healthy service does not give on demand): <see cref="When_the_service_gives_no_usable_answer"/>.
/// </summary>
public sealed class When_operators_drive_the_service_over_HTTP(RunningService service) : IClassFixture<RunningService>
{
    private async Task<(int Exit, string Out, string All)> RunAsync(params string[] args) => await RunAsync(service.Environment(service.AdminKey), args);

    private static Task<(int Exit, string Out, string All)> RunAsync(Dictionary<string, string?> environment, params string[] args) =>
        Verb.RunAsync(environment, args);

    private static string[] Lines(string text) => Verb.Lines(text);

    private Task<JsonNode> ExperimentAsync(string id) => service.GetAsync($"/v1/experiments/{id}");

    /// <summary>The <c>detail</c> of the API's Problem Details for the same command, with the status it names (as the CLI prints it).</summary>
    private async Task<string> ReasonAsync(HttpMethod method, string path, string? json = null)
    {
        var (status, answer) = await service.SendAsync(method, path, json);
        Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity, $"{status}: {answer}");
        var state = answer!["experimentStatus"] ?? answer["ruleStatus"];
        return answer["detail"]!.GetValue<string>() + (state is null ? "" : $" (status {state.GetValue<string>()})");
    }

    [Fact]
    public async Task Create_on_the_in_memory_default_prints_the_answer_and_nothing_else()
    {
        var id = Guid.NewGuid();

        var (exit, stdout, all) = await RunAsync("experiments", "create", "--id", id.ToString(), "--environment", "prod", "--feature", "checkout-button",
            "--variations", "blue, green", "--goals", "purchase", "--days", "7");

        Assert.True(exit == 0, all);
        Assert.Equal([$"accepted: experiment {id} created and started (status Running)"], Lines(stdout));
        Assert.Equal(stdout, all); // nothing on standard error either
        var stored = await ExperimentAsync(id.ToString());
        Assert.Equal(["blue", "green"], stored["variationIds"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["purchase"], stored["goalIds"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("blue", stored["baselineVariationId"]!.GetValue<string>());
        Assert.Equal("checkout-button", stored["name"]!.GetValue<string>());
        Assert.Equal(("prod", "Running"), (stored["environmentId"]!.GetValue<string>(), stored["status"]!.GetValue<string>()));
        Assert.Equal(7 * 86_400, stored["stopAt"]!.GetValue<long>() - stored["startAt"]!.GetValue<long>());
    }

    [Fact]
    public async Task Every_lifecycle_verb_is_its_request_and_prints_the_saga_s_answer()
    {
        var id = Guid.NewGuid().ToString();
        var later = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();

        var created = await RunAsync("experiments", "create", "--id", id, "--environment", "prod", "--feature", "f", "--variations", "a,b", "--goals", "g",
            "--start-at", later.ToString());
        var period = await RunAsync("experiments", "period", "--id", id, "--start-at", (later + 60).ToString(), "--stop-at", "2030-01-01T00:00:00Z");
        var moved = await ExperimentAsync(id);
        var started = await RunAsync("experiments", "start", "--id", id);
        var stopped = await RunAsync("experiments", "stop", "--id", id);
        var forced = await RunAsync("experiments", "force-stop", "--id", id);
        var archived = await RunAsync("experiments", "archive", "--id", id);
        var stored = await ExperimentAsync(id);

        Assert.All(new[] { created, period, started, stopped, forced, archived }, r => Assert.True(r.Exit == 0, r.All));
        Assert.Equal($"accepted: experiment {id} created (status Waiting)", Lines(created.Out).Single());
        Assert.Equal($"accepted: experiment {id} period changed (status Waiting)", Lines(period.Out).Single());
        Assert.Equal((later + 60, 1893456000), (moved["startAt"]!.GetValue<long>(), moved["stopAt"]!.GetValue<long>()));
        Assert.Equal($"accepted: experiment {id} started (status Running)", Lines(started.Out).Single());
        Assert.Equal($"accepted: experiment {id} stopped (status Stopped)", Lines(stopped.Out).Single());
        Assert.Equal($"accepted: experiment {id} force-stopped: late-event tail ended (status ForceStopped)", Lines(forced.Out).Single());
        Assert.Equal($"accepted: experiment {id} archived (status ForceStopped)", Lines(archived.Out).Single());
        Assert.Equal(("ForceStopped", true), (stored["status"]!.GetValue<string>(), stored["archived"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task A_rejection_exits_1_with_the_reason_and_the_id()
    {
        var id = Guid.NewGuid().ToString();
        await RunAsync("experiments", "create", "--id", id, "--environment", "prod", "--feature", "f", "--variations", "a,b", "--goals", "g");
        await RunAsync("experiments", "stop", "--id", id);
        var unknown = Guid.NewGuid().ToString();

        var conflict = await RunAsync("experiments", "archive", "--id", id);
        var notFound = await RunAsync("experiments", "stop", "--id", unknown);
        var invalid = await RunAsync("experiments", "create", "--environment", "prod", "--feature", "f", "--variations", "a,b", "--goals", "g", "--baseline", "c");

        Assert.True(conflict.Exit == 1, conflict.All);
        Assert.Equal($"rejected: experiment {id}: {await ReasonAsync(HttpMethod.Post, $"/v1/experiments/{id}/archive")}", Lines(conflict.Out).Single());
        Assert.EndsWith("(status Stopped)", conflict.Out.TrimEnd());
        Assert.True(notFound.Exit == 1, notFound.All);
        Assert.Equal($"rejected: experiment {unknown}: {await ReasonAsync(HttpMethod.Post, $"/v1/experiments/{unknown}/stop")}", Lines(notFound.Out).Single());
        Assert.True(invalid.Exit == 1, invalid.All);
        var reason = await ReasonAsync(HttpMethod.Post, "/v1/experiments",
            """{"environmentId":"prod","featureId":"f","featureVersion":1,"variationIds":["a","b"],"goalIds":["g"],"baselineVariationId":"c"}""");
        Assert.Contains("'c'", reason);
        Assert.Matches($"^rejected: experiment [0-9a-f-]{{36}}: {System.Text.RegularExpressions.Regex.Escape(reason)}$", Lines(invalid.Out).Single());
    }

    [Fact]
    public async Task List_reads_the_API_and_fits_100_columns()
    {
        var id = Guid.NewGuid().ToString();
        var longName = new string('n', 150);
        await RunAsync("experiments", "create", "--id", id, "--environment", "production-eu-west", "--feature", "checkout-button-with-a-long-flag-id",
            "--variations", "a,b", "--goals", "g", "--name", longName, "--start-at", "2099-12-01T09:00:00Z", "--stop-at", "2099-12-15T09:00:00Z");
        var archivedId = Guid.NewGuid().ToString();
        await RunAsync("experiments", "create", "--id", archivedId, "--environment", "prod", "--feature", "old", "--variations", "a,b", "--goals", "g");
        await RunAsync("experiments", "force-stop", "--id", archivedId);
        await RunAsync("experiments", "archive", "--id", archivedId);

        var list = await RunAsync("experiments", "list");
        var all = await RunAsync("experiments", "list", "--all");
        var listed = (await service.GetAsync("/v1/experiments")).AsArray();
        var allListed = (await service.GetAsync("/v1/experiments?all=true")).AsArray();

        Assert.True(list.Exit == 0, list.All);
        Assert.True(all.Exit == 0, all.All);
        Assert.All(Lines(list.Out).Concat(Lines(all.Out)), line => Assert.True(line.Length <= 100, $"{line.Length} columns: {line}"));
        Assert.Matches($"{id}\\s+Waiting\\s+2099-12-01 09:00\\s+2099-12-15 09:00", list.Out);
        Assert.Contains("production-eu-west / checkout-button-with-a-long-flag-id:1 / nnnn", list.Out);
        Assert.DoesNotContain(archivedId, list.Out);
        foreach (var e in listed) Assert.Matches($"{e!["experimentId"]}\\s+{e["status"]}\\s", list.Out);
        Assert.Contains($"{listed.Count} experiment(s)", list.Out);
        Assert.Matches($"{archivedId}\\s+ForceStopped\\*", all.Out);
        foreach (var e in allListed) Assert.Matches($"{e!["experimentId"]}\\s+{e["status"]}{(e["archived"]!.GetValue<bool>() ? "\\*" : "\\s")}", all.Out);
        Assert.Contains($"{allListed.Count} experiment(s) (* archived)", all.Out);
        Assert.Equal(listed.Count, allListed.Count(e => !e!["archived"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Rules_are_created_stopped_listed_and_deleted_over_HTTP()
    {
        var id = Guid.NewGuid().ToString();

        var created = await RunAsync("autoops", "create", "--id", id, "--environment", "prod", "--feature", "kill-me", "--clause", "B:error:10:0.5:ge",
            "--clause", "A:error:20:0.25:le");
        var stored = await service.GetAsync($"/v1/auto-ops-rules/{id}");
        var rejected = await RunAsync("autoops", "create", "--environment", "prod", "--feature", "kill-me", "--clause", "B:error:0:0.5");
        var list = await RunAsync("autoops", "list");
        var stopped = await RunAsync("autoops", "stop", "--id", id);
        var deleted = await RunAsync("autoops", "delete", "--id", id);
        var again = await RunAsync("autoops", "delete", "--id", id);
        var empty = await RunAsync("autoops", "list");
        // A triggered rule as the kill switch writes it (table auto_ops_rule), to see how the list shows what triggered it.
        var triggered = Guid.NewGuid();
        var clauseId = Guid.NewGuid();
        await service.AddAsync(new AutoOpsRuleRow
        {
            Id = triggered, EnvironmentId = "prod", FeatureId = "kill-me", FeatureVersion = 2, Status = (int)AutoOpsRuleStatus.Finished,
            Clauses = DefinitionStore.ClausesJson([new EventRateClause { ClauseId = clauseId, VariationId = "green", GoalId = "error", MinCount = 50,
                Threshold = 0.5, Operator = RateOperator.GreaterOrEqual }]),
            CreatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), UpdatedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            TriggeredClauseId = clauseId, TriggeredAt = 1796115601250, TriggeredEvaluationCount = 50, TriggeredOpsEventCount = 31,
        });
        var withTrigger = await RunAsync("autoops", "list");

        Assert.True(created.Exit == 0, created.All);
        Assert.Equal($"accepted: rule {id} created (status Waiting)", Lines(created.Out).Single());
        var clause = stored["clauses"]![1]!;
        Assert.Equal(("A", "error", 20, 0.25, "LessOrEqual"), (clause["variationId"]!.GetValue<string>(), clause["goalId"]!.GetValue<string>(),
            clause["minCount"]!.GetValue<long>(), clause["threshold"]!.GetValue<double>(), clause["operator"]!.GetValue<string>()));
        Assert.True(rejected.Exit == 1, rejected.All);
        var reason = await ReasonAsync(HttpMethod.Post, "/v1/auto-ops-rules",
            """{"environmentId":"prod","featureId":"kill-me","featureVersion":1,"clauses":[{"variationId":"B","goalId":"error","minCount":0,"threshold":0.5,"operator":"GreaterOrEqual"}]}""");
        Assert.Contains("MinCount", reason);
        Assert.Matches($"^rejected: rule [0-9a-f-]{{36}}: {System.Text.RegularExpressions.Regex.Escape(reason)}$", Lines(rejected.Out).Single());
        Assert.True(list.Exit == 0, list.All);
        Assert.Matches($"{id}\\s+Waiting\\s+prod / kill-me:1", list.Out);
        Assert.Contains("  clause B:error:10:0.5:ge", list.Out);
        Assert.Contains("  clause A:error:20:0.25:le", list.Out);
        Assert.Equal($"accepted: rule {id} stopped (status Stopped)", Lines(stopped.Out).Single());
        Assert.Equal($"accepted: rule {id} deleted (status Stopped, deleted)", Lines(deleted.Out).Single());
        Assert.True(again.Exit == 0, again.All);
        Assert.Equal($"accepted: rule {id} already deleted (status Stopped, deleted)", Lines(again.Out).Single());
        Assert.True((await service.GetAsync($"/v1/auto-ops-rules/{id}"))["deleted"]!.GetValue<bool>());
        Assert.DoesNotContain(id, empty.Out);
        Assert.Contains($"  triggered 2026-12-01 09:00:01.250 UTC by clause {clauseId} (green:error): 31 of 50 evaluation users reached the goal, rate 0.62 ge 0.5",
            withTrigger.Out.Replace("\n    ", " "));
        Assert.All(Lines(withTrigger.Out), line => Assert.True(line.Length <= 100, $"{line.Length} columns: {line}"));
        Assert.Matches($"{triggered}\\s+Finished\\s+prod / kill-me:2", withTrigger.Out);
        Assert.Contains($"{(await service.GetAsync("/v1/auto-ops-rules")).AsArray().Count} rule(s)", withTrigger.Out);
    }

    [Fact]
    public async Task A_refused_or_missing_key_exits_2_and_names_where_a_key_goes()
    {
        var notSent = Guid.NewGuid().ToString();
        var wrong = await RunAsync(service.Environment("pk_not_this_one"), "experiments", "list");
        var missing = await RunAsync(service.Environment(apiKey: null), "experiments", "create", "--id", notSent, "--environment", "prod", "--feature", "f",
            "--variations", "a,b", "--goals", "g");
        var fromFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(fromFile, service.AdminKey + "\n");
        var environment = service.Environment(apiKey: null);
        environment["PERSISTERS_API_KEY_FILE"] = fromFile;
        var secret = await RunAsync(environment, "experiments", "list");
        var onCommandLine = await RunAsync(service.Environment(apiKey: null), "experiments", "list", "--api-key", service.AdminKey);
        File.Delete(fromFile);
        var (status, refusal) = await service.SendAsync(HttpMethod.Get, $"/v1/experiments/{notSent}");
        var (_, wrongKey) = await service.SendAsync(HttpMethod.Get, "/v1/experiments", apiKey: "pk_not_this_one");

        Assert.True(wrong.Exit == 2, wrong.All);
        Assert.Contains($"the service refused the API key (403): {wrongKey!["detail"]}", wrong.All);
        Assert.True(missing.Exit == 2, missing.All);
        Assert.Contains("No API key: give --api-key or set PERSISTERS_API_KEY", missing.All);
        Assert.True(status == HttpStatusCode.NotFound, refusal?.ToJsonString()); // the create was never sent
        Assert.True(secret.Exit == 0, secret.All);
        Assert.True(onCommandLine.Exit == 0, onCommandLine.All);
        Assert.Equal(secret.Out, onCommandLine.Out);
    }
}
