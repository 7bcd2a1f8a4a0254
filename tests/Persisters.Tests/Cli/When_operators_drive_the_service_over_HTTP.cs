using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Persisters.Tests.Support;

namespace Persisters.Tests.Cli;

/// <summary>
/// Issue 14.5: <c>experiments …</c> and <c>autoops …</c> talk to a running service's operator API over HTTP, so they work on every
/// transport (here the embedded default, in-memory, which no other process's bus can reach) and print their answer and nothing else
/// on standard output (they built a host before, whose "Application started" lines went there too). Exit codes: 0 accepted,
/// 1 rejected with the reason, 2 a bad option or key, 3 no answer (504 or --timeout), 4 the service cannot be reached (or 503),
/// 5 any other failure. The real <c>persisters</c> executable runs against <see cref="FakeOperatorApi"/>, a fake of the contract,
/// until the real API is merged (then: the real host, see the class's remarks).
/// </summary>
public sealed class When_operators_drive_the_service_over_HTTP : IAsyncLifetime
{
    private FakeOperatorApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeOperatorApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private async Task<(int Exit, string Out, string All)> RunAsync(params string[] args) => await RunAsync(_api.Environment(), args);

    private static async Task<(int Exit, string Out, string All)> RunAsync(Dictionary<string, string?> environment, params string[] args)
    {
        environment["Transport__Kind"] = "InMemory";
        await using var verb = HostCommand.Start(environment, args);
        var exit = await verb.WaitForExitAsync();
        return (exit, verb.StandardOutput, verb.Output);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public async Task Create_on_the_in_memory_default_prints_the_answer_and_nothing_else()
    {
        var id = Guid.NewGuid();

        var (exit, stdout, all) = await RunAsync("experiments", "create", "--id", id.ToString(), "--environment", "prod", "--feature", "checkout-button",
            "--variations", "blue, green", "--goals", "purchase", "--days", "7");

        Assert.True(exit == 0, all);
        Assert.Equal([$"accepted: experiment {id} created and started (status Running)"], Lines(stdout));
        Assert.Equal(stdout, all); // nothing on standard error either
        var request = Assert.Single(_api.Requests);
        Assert.Equal(("POST", "/v1/experiments", $"Bearer {FakeOperatorApi.AdminKey}"), (request.Method, request.Path, request.Authorization));
        using var body = JsonDocument.Parse(request.Body);
        var sent = body.RootElement;
        Assert.Equal(id, sent.GetProperty("experimentId").GetGuid());
        Assert.Equal(["blue", "green"], sent.GetProperty("variationIds").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal("blue", sent.GetProperty("baselineVariationId").GetString());
        Assert.Equal("checkout-button", sent.GetProperty("name").GetString());
        Assert.Equal(7 * 86_400, sent.GetProperty("stopAt").GetInt64() - sent.GetProperty("startAt").GetInt64());
    }

    [Fact]
    public async Task Every_lifecycle_verb_is_its_request_and_prints_the_saga_s_answer()
    {
        var id = Guid.NewGuid().ToString();
        var later = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeSeconds();

        var created = await RunAsync("experiments", "create", "--id", id, "--environment", "prod", "--feature", "f", "--variations", "a,b", "--goals", "g",
            "--start-at", later.ToString());
        var period = await RunAsync("experiments", "period", "--id", id, "--start-at", (later + 60).ToString(), "--stop-at", "2030-01-01T00:00:00Z");
        var started = await RunAsync("experiments", "start", "--id", id);
        var stopped = await RunAsync("experiments", "stop", "--id", id);
        var forced = await RunAsync("experiments", "force-stop", "--id", id);
        var archived = await RunAsync("experiments", "archive", "--id", id);

        Assert.Equal($"accepted: experiment {id} created (status Waiting)", Lines(created.Out).Single());
        Assert.Equal($"accepted: experiment {id} period changed (status Waiting)", Lines(period.Out).Single());
        Assert.Equal($"accepted: experiment {id} started (status Running)", Lines(started.Out).Single());
        Assert.Equal($"accepted: experiment {id} stopped (status Stopped)", Lines(stopped.Out).Single());
        Assert.Equal($"accepted: experiment {id} force-stopped (status ForceStopped)", Lines(forced.Out).Single());
        Assert.Equal($"accepted: experiment {id} archived (status ForceStopped)", Lines(archived.Out).Single());
        Assert.All(new[] { created, period, started, stopped, forced, archived }, r => Assert.True(r.Exit == 0, r.All));
        Assert.Equal(
            ["POST /v1/experiments", $"POST /v1/experiments/{id}/period", $"POST /v1/experiments/{id}/start", $"POST /v1/experiments/{id}/stop",
             $"POST /v1/experiments/{id}/force-stop", $"POST /v1/experiments/{id}/archive"],
            _api.Requests.Select(r => $"{r.Method} {r.Path}"));
        using var body = JsonDocument.Parse(_api.Requests.ElementAt(1).Body);
        Assert.Equal(later + 60, body.RootElement.GetProperty("startAt").GetInt64());
        Assert.Equal(1893456000, body.RootElement.GetProperty("stopAt").GetInt64());
    }

    [Fact]
    public async Task A_rejection_exits_1_with_the_reason_and_the_id()
    {
        var id = Guid.NewGuid().ToString();
        await RunAsync("experiments", "create", "--id", id, "--environment", "prod", "--feature", "f", "--variations", "a,b", "--goals", "g");
        var unknown = Guid.NewGuid().ToString();

        var conflict = await RunAsync("experiments", "start", "--id", id);
        var notFound = await RunAsync("experiments", "stop", "--id", unknown);
        var invalid = await RunAsync("experiments", "create", "--environment", "prod", "--feature", "f", "--variations", "a,b", "--goals", "g", "--baseline", "c");

        Assert.True(conflict.Exit == 1, conflict.All);
        Assert.Equal($"rejected: experiment {id}: cannot start an experiment that is Running (status Running)", Lines(conflict.Out).Single());
        Assert.True(notFound.Exit == 1, notFound.All);
        Assert.Equal($"rejected: experiment {unknown}: no experiment {unknown}", Lines(notFound.Out).Single());
        Assert.True(invalid.Exit == 1, invalid.All);
        Assert.Matches("^rejected: experiment [0-9a-f-]{36}: BaselineVariationId 'c' is not one of VariationIds$", Lines(invalid.Out).Single());
    }

    [Fact]
    public async Task List_reads_the_API_and_fits_100_columns()
    {
        var id = Guid.NewGuid().ToString();
        var longName = new string('n', 150);
        await RunAsync("experiments", "create", "--id", id, "--environment", "production-eu-west", "--feature", "checkout-button-with-a-long-flag-id",
            "--variations", "a,b", "--goals", "g", "--name", longName, "--start-at", "2026-12-01T09:00:00Z", "--stop-at", "2026-12-15T09:00:00Z");
        var archivedId = Guid.NewGuid().ToString();
        await RunAsync("experiments", "create", "--id", archivedId, "--environment", "prod", "--feature", "old", "--variations", "a,b", "--goals", "g");
        await RunAsync("experiments", "force-stop", "--id", archivedId);
        await RunAsync("experiments", "archive", "--id", archivedId);

        var list = await RunAsync("experiments", "list");
        var all = await RunAsync("experiments", "list", "--all");

        Assert.True(list.Exit == 0, list.All);
        Assert.All(Lines(list.Out).Concat(Lines(all.Out)), line => Assert.True(line.Length <= 100, $"{line.Length} columns: {line}"));
        Assert.Matches($"{id}\\s+(Waiting|Running)\\s+2026-12-01 09:00\\s+2026-12-15 09:00", list.Out);
        Assert.Contains("production-eu-west / checkout-button-with-a-long-flag-id:1 / nnnn", list.Out);
        Assert.DoesNotContain(archivedId, list.Out);
        Assert.Contains("1 experiment(s)", list.Out);
        Assert.Matches($"{archivedId}\\s+ForceStopped\\*", all.Out);
        Assert.Contains("2 experiment(s) (* archived)", all.Out);
        Assert.Equal(["GET /v1/experiments", "GET /v1/experiments?all=true"], _api.Requests.Where(r => r.Method == "GET").Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task Rules_are_created_stopped_listed_and_deleted_over_HTTP()
    {
        var id = Guid.NewGuid().ToString();

        var created = await RunAsync("autoops", "create", "--id", id, "--environment", "prod", "--feature", "kill-me", "--clause", "B:error:10:0.5:ge",
            "--clause", "A:error:20:0.25:le");
        var rejected = await RunAsync("autoops", "create", "--environment", "prod", "--feature", "kill-me", "--clause", "B:error:0:0.5");
        var list = await RunAsync("autoops", "list");
        var stopped = await RunAsync("autoops", "stop", "--id", id);
        var deleted = await RunAsync("autoops", "delete", "--id", id);
        var again = await RunAsync("autoops", "delete", "--id", id);
        var empty = await RunAsync("autoops", "list");
        var triggered = Guid.NewGuid();
        var clauseId = Guid.NewGuid();
        _api.Rules[triggered] = System.Text.Json.Nodes.JsonNode.Parse($$"""
            {"ruleId":"{{triggered}}","environmentId":"prod","featureId":"kill-me","featureVersion":2,"status":"Finished","deleted":false,
             "clauses":[{"clauseId":"{{clauseId}}","variationId":"green","goalId":"error","minCount":50,"threshold":0.5,"operator":"GreaterOrEqual","action":"Disable"}],
             "triggeredClauseId":"{{clauseId}}","triggeredAtMs":1796115601250,"triggeredEvaluationCount":50,"triggeredOpsEventCount":31}
            """)!.AsObject();
        var withTrigger = await RunAsync("autoops", "list");

        Assert.True(created.Exit == 0, created.All);
        Assert.Equal($"accepted: rule {id} created (status Running)", Lines(created.Out).Single());
        Assert.True(rejected.Exit == 1, rejected.All);
        Assert.Matches("^rejected: rule [0-9a-f-]{36}: MinCount must be at least 1$", Lines(rejected.Out).Single());
        Assert.True(list.Exit == 0, list.All);
        Assert.Matches($"{id}\\s+Running\\s+prod / kill-me:1", list.Out);
        Assert.Contains("  clause B:error:10:0.5:ge", list.Out);
        Assert.Contains("  clause A:error:20:0.25:le", list.Out);
        Assert.Contains("1 rule(s)", list.Out);
        Assert.Equal($"accepted: rule {id} stopped (status Stopped)", Lines(stopped.Out).Single());
        Assert.Equal($"accepted: rule {id} deleted (status Stopped, deleted)", Lines(deleted.Out).Single());
        Assert.True(again.Exit == 1, again.All);
        Assert.Equal($"rejected: rule {id}: no rule {id}", Lines(again.Out).Single());
        Assert.DoesNotContain(id, empty.Out);
        Assert.Contains($"  triggered 2026-12-01 09:00:01.250 UTC by clause {clauseId} (green:error): 31 of 50 evaluation users reached the goal, rate 0.62 ge 0.5",
            withTrigger.Out.Replace("\n    ", " "));
        Assert.All(Lines(withTrigger.Out), line => Assert.True(line.Length <= 100, $"{line.Length} columns: {line}"));
        Assert.Matches($"{triggered}\\s+Finished\\s+prod / kill-me:2", withTrigger.Out);
        Assert.Contains($"DELETE /v1/auto-ops-rules/{id}", _api.Requests.Select(r => $"{r.Method} {r.Path}"));
        using var body = JsonDocument.Parse(_api.Requests.First().Body);
        var clause = body.RootElement.GetProperty("clauses")[1];
        Assert.Equal(("A", "error", 20, 0.25), (clause.GetProperty("variationId").GetString(), clause.GetProperty("goalId").GetString(),
            clause.GetProperty("minCount").GetInt64(), clause.GetProperty("threshold").GetDouble()));
    }

    [Fact]
    public async Task No_answer_exits_3_whether_the_service_says_504_or_the_timeout_passes()
    {
        _api.Override = request => Task.FromResult<IResult?>(request.Path.Value!.EndsWith("/start")
            ? FakeOperatorApi.Problem(504, "the experiment lifecycle gave no answer within 00:00:10")
            : null);
        var gatewayTimeout = await RunAsync("experiments", "start", "--id", Guid.NewGuid().ToString());
        _api.Override = async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30));
            return null;
        };
        var slow = await RunAsync("autoops", "stop", "--id", Guid.NewGuid().ToString(), "--timeout", "1");

        Assert.True(gatewayTimeout.Exit == 3, gatewayTimeout.All);
        Assert.Contains("no answer: the experiment lifecycle gave no answer within 00:00:10", gatewayTimeout.All);
        Assert.True(slow.Exit == 3, slow.All);
        Assert.Contains("no answer within 1 s", slow.All);
        Assert.Empty(gatewayTimeout.Out + slow.Out);
    }

    [Fact]
    public async Task A_service_that_cannot_be_reached_or_cannot_take_it_now_exits_4_in_one_line()
    {
        var environment = _api.Environment();
        environment["PERSISTERS_URL"] = $"http://127.0.0.1:{HostCommand.FreePort()}";
        var refused = await RunAsync(environment, "experiments", "start", "--id", Guid.NewGuid().ToString());
        var refusedRule = await RunAsync(environment, "autoops", "create", "--environment", "e", "--feature", "f", "--clause", "a:b:1:0.5");
        _api.Override = request => Task.FromResult<IResult?>(
            Results.Problem(statusCode: 503, detail: "API keys could not be read (database unavailable)"));
        var unavailable = await RunAsync("experiments", "list");

        foreach (var (exit, stdout, all) in new[] { refused, refusedRule })
        {
            Assert.True(exit == 4, all);
            var line = Assert.Single(Lines(all));
            Assert.Contains($"could not reach the service at {environment["PERSISTERS_URL"]}/", line);
            Assert.Contains("PERSISTERS_URL", line);
            Assert.Empty(stdout);
        }
        Assert.True(unavailable.Exit == 4, unavailable.All);
        Assert.Contains("the service cannot take the command now: API keys could not be read (database unavailable) (503)", unavailable.All);
    }

    [Fact]
    public async Task A_refused_or_missing_key_exits_2_and_names_where_a_key_goes()
    {
        var wrong = await RunAsync(_api.Environment("pk_not_this_one"), "experiments", "list");
        var missing = await RunAsync(_api.Environment(apiKey: null), "experiments", "start", "--id", Guid.NewGuid().ToString());
        var fromFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(fromFile, FakeOperatorApi.AdminKey + "\n");
        var environment = _api.Environment(apiKey: null);
        environment["PERSISTERS_API_KEY_FILE"] = fromFile;
        var secret = await RunAsync(environment, "experiments", "list");
        var onCommandLine = await RunAsync(_api.Environment(apiKey: null), "experiments", "list", "--api-key", FakeOperatorApi.AdminKey);
        File.Delete(fromFile);

        Assert.True(wrong.Exit == 2, wrong.All);
        Assert.Contains("the service refused the API key (403): invalid API key (unknown or revoked)", wrong.All);
        Assert.True(missing.Exit == 2, missing.All);
        Assert.Contains("No API key: give --api-key or set PERSISTERS_API_KEY", missing.All);
        Assert.DoesNotContain(_api.Requests, r => r.Path.EndsWith("/start"));
        Assert.True(secret.Exit == 0, secret.All);
        Assert.True(onCommandLine.Exit == 0, onCommandLine.All);
    }

    [Fact]
    public async Task Any_other_answer_exits_5_naming_the_status()
    {
        _api.Override = _ => Task.FromResult<IResult?>(Results.StatusCode((int)HttpStatusCode.InternalServerError));
        var failed = await RunAsync("autoops", "delete", "--id", Guid.NewGuid().ToString());
        _api.Override = null;
        var elsewhere = _api.Environment();
        elsewhere["PERSISTERS_URL"] = new Uri(_api.Url, "elsewhere").ToString();
        var notThisService = await RunAsync(elsewhere, "experiments", "list");

        Assert.True(failed.Exit == 5, failed.All);
        Assert.Contains("the service failed on the command: 500", failed.All);
        Assert.True(notThisService.Exit == 5, notThisService.All);
        Assert.Contains("404 Not Found /elsewhere/v1/experiments", notThisService.All);
        Assert.Contains("a persisters service of this version?", notThisService.All);
    }
}
