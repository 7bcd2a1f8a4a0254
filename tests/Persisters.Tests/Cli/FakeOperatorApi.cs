using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Persisters.Contracts;

namespace Persisters.Tests.Cli;

/// <summary>
/// A FAKE of the service's operator API, written from the contract the real one is being built to (the session's i14 contract:
/// <c>/v1/experiments…</c>, <c>/v1/auto-ops-rules…</c>, admin key in <c>Authorization</c>, Problem Details with <c>detail</c> and
/// <c>experimentId</c>/<c>ruleId</c>; 200 accepted, 404 unknown, 409 a state the command does not apply to, 422 invalid input, 504
/// no answer). It stands in until the real API (i14-api) is on main; then these tests switch to the real host. It keeps experiments
/// and rules in memory with just enough of the saga's transitions to answer each documented status, and records every request.
/// Kestrel on 127.0.0.1 and a free port, so the real <c>persisters</c> executable can talk to it.
/// </summary>
public sealed class FakeOperatorApi : IAsyncDisposable
{
    public const string AdminKey = "pk_fake_admin-key-of-the-fake-operator-api";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<Guid, JsonObject> _experiments = new();
    private readonly ConcurrentDictionary<Guid, JsonObject> _rules = new();

    /// <summary>The rules as the API lists them (camelCase <c>AutoOpsRule</c>), to seed one the test cannot trigger over the API.</summary>
    public ConcurrentDictionary<Guid, JsonObject> Rules => _rules;

    private FakeOperatorApi(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    /// <summary>Every request: method, path with query, the Authorization header and the body.</summary>
    public ConcurrentQueue<(string Method, string Path, string Authorization, string Body)> Requests { get; } = new();

    /// <summary>When set and it returns a result, that is the answer (a 504, a 503, a slow answer).</summary>
    public Func<HttpRequest, Task<IResult?>>? Override { get; set; }

    public static async Task<FakeOperatorApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeOperatorApi(app);
        fake.Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.Url = new Uri(address);
        return fake;
    }

    /// <summary>The environment that points the <c>persisters</c> executable at this fake with its admin key.</summary>
    public Dictionary<string, string?> Environment(string? apiKey = AdminKey) => new()
    {
        ["PERSISTERS_URL"] = Url.ToString(),
        ["PERSISTERS_API_KEY"] = apiKey,
    };

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Request.Body.Position = 0;
            Requests.Enqueue((context.Request.Method, context.Request.Path.Value + context.Request.QueryString, context.Request.Headers.Authorization.ToString(), body));
            var presented = context.Request.Headers.Authorization.ToString();
            if (presented.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) presented = presented[7..];
            IResult? denied = presented.Length == 0 ? Problem(401, "missing API key: send it in the Authorization header")
                : presented != AdminKey ? Problem(403, "invalid API key (unknown or revoked)")
                : Override is { } o ? await o(context.Request)
                : null;
            if (denied is not null) await denied.ExecuteAsync(context);
            else await next(context);
        });

        app.MapGet("/v1/experiments", (bool? all) => Results.Json(_experiments.Values.Where(e => all == true || !e["archived"]!.GetValue<bool>()).ToList()));
        app.MapGet("/v1/experiments/{id:guid}", (Guid id) => _experiments.TryGetValue(id, out var e) ? Results.Json(e) : UnknownExperiment(id));
        app.MapPost("/v1/experiments", (JsonObject body) =>
        {
            var id = body["experimentId"]?.GetValue<Guid>() ?? Guid.NewGuid();
            var variations = body["variationIds"]!.AsArray().Select(v => v!.GetValue<string>()).ToList();
            if (!variations.Contains(body["baselineVariationId"]?.GetValue<string>() ?? ""))
                return Problem(422, $"BaselineVariationId '{body["baselineVariationId"]}' is not one of VariationIds", ("experimentId", id));
            if (_experiments.ContainsKey(id)) return Problem(409, "the experiment exists already", ("experimentId", id));
            var started = body["startAt"]!.GetValue<long>() <= DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var experiment = (JsonObject)body.DeepClone();
            experiment["status"] = started ? "Running" : "Waiting";
            experiment["archived"] = false;
            _experiments[id] = experiment;
            return Accepted(id, experiment, started ? "created and started" : "created");
        });
        app.MapPost("/v1/experiments/{id:guid}/{transition}", (Guid id, string transition) => Transition(id, transition));
        app.MapPost("/v1/experiments/{id:guid}/period", (Guid id, JsonObject body) =>
        {
            if (!_experiments.TryGetValue(id, out var e)) return UnknownExperiment(id);
            if (body["stopAt"]!.GetValue<long>() <= body["startAt"]!.GetValue<long>())
                return Problem(422, $"stop_at ({body["stopAt"]}) must be after start_at ({body["startAt"]})", ("experimentId", id));
            e["startAt"] = body["startAt"]!.GetValue<long>();
            e["stopAt"] = body["stopAt"]!.GetValue<long>();
            return Accepted(id, e, "period changed");
        });

        app.MapGet("/v1/auto-ops-rules", (bool? all) => Results.Json(_rules.Values.Where(r => all == true || !r["deleted"]!.GetValue<bool>()).ToList()));
        app.MapPost("/v1/auto-ops-rules", (JsonObject body) =>
        {
            var id = body["ruleId"]!.GetValue<Guid>();
            var clauses = body["clauses"]!.AsArray();
            if (clauses.Any(c => c!["minCount"]!.GetValue<long>() < 1)) return Problem(422, "MinCount must be at least 1", ("ruleId", id));
            var rule = (JsonObject)body.DeepClone();
            // As the API writes them: enums by name.
            foreach (var c in rule["clauses"]!.AsArray())
                c!["operator"] = ((RateOperator)c["operator"]!.GetValue<int>()).ToString();
            rule["status"] = "Running";
            rule["deleted"] = false;
            _rules[id] = rule;
            return RuleAccepted(id, rule, "CreateEventRateRule", "created");
        });
        app.MapPost("/v1/auto-ops-rules/{id:guid}/stop", (Guid id) =>
        {
            if (!_rules.TryGetValue(id, out var r) || r["deleted"]!.GetValue<bool>()) return Problem(404, $"no rule {id}", ("ruleId", id));
            if (r["status"]!.GetValue<string>() == "Stopped") return Problem(409, "the rule is stopped already", ("ruleId", id), ("ruleStatus", "Stopped"));
            r["status"] = "Stopped";
            return RuleAccepted(id, r, "StopEventRateRule", "stopped");
        });
        app.MapDelete("/v1/auto-ops-rules/{id:guid}", (Guid id) =>
        {
            if (!_rules.TryGetValue(id, out var r) || r["deleted"]!.GetValue<bool>()) return Problem(404, $"no rule {id}", ("ruleId", id));
            r["deleted"] = true;
            return RuleAccepted(id, r, "DeleteEventRateRule", "deleted");
        });
    }

    /// <summary>start, stop, force-stop and archive, with the statuses each applies to (src/Sagas/README.md).</summary>
    private IResult Transition(Guid id, string transition)
    {
        if (!_experiments.TryGetValue(id, out var e)) return UnknownExperiment(id);
        var status = e["status"]!.GetValue<string>();
        var (from, to, detail) = transition switch
        {
            "start" => (new[] { "Waiting" }, "Running", "started"),
            "stop" => (["Running"], "Stopped", "stopped"),
            "force-stop" => (["Waiting", "Running", "Stopped"], "ForceStopped", "force-stopped"),
            "archive" => (["Finished", "ForceStopped"], status, "archived"),
            _ => (Array.Empty<string>(), "", ""),
        };
        if (to.Length == 0) return Results.NotFound();
        if (!from.Contains(status) || e["archived"]!.GetValue<bool>())
            return Problem(409, $"cannot {transition} an experiment that is {status}", ("experimentId", id), ("experimentStatus", status));
        e["status"] = to;
        if (transition == "archive") e["archived"] = true;
        return Accepted(id, e, detail);
    }

    private static IResult Accepted(Guid id, JsonObject experiment, string detail) =>
        Results.Json(new { experimentId = id, status = experiment["status"]!.GetValue<string>(), detail });

    private static IResult RuleAccepted(Guid id, JsonObject rule, string command, string detail) =>
        Results.Json(new { ruleId = id, command, status = rule["status"]!.GetValue<string>(), deleted = rule["deleted"]!.GetValue<bool>(), detail });

    private static IResult UnknownExperiment(Guid id) => Problem(404, $"no experiment {id}", ("experimentId", id));

    public static IResult Problem(int status, string detail, params (string Name, object Value)[] extensions) =>
        Results.Problem(detail: detail, statusCode: status, title: status switch
        {
            401 or 403 => "API key refused",
            404 => "Not found",
            409 => "Conflict with the current state",
            422 => "Invalid command",
            503 => "Service unavailable",
            504 => "No answer",
            _ => "Error",
        }, extensions: extensions.ToDictionary(e => e.Name, e => (object?)e.Value));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
