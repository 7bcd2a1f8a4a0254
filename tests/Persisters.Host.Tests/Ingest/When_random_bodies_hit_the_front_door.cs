using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Host.Ingest;
using Persisters.Persistence;
using Persisters.Tests.Support;

namespace Persisters.Tests.Ingest;

/// <summary>
/// Property-based (CsCheck): random and malformed bodies at both endpoints, mostly near-valid events with random fields of random
/// types, some cut or with a byte changed, some plain noise. Properties: no answer is a 5xx; and no event id the answer called
/// rejected (every occurrence of it in answered requests) is ever stored, parked or counted.
/// </summary>
public sealed class When_random_bodies_hit_the_front_door
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static readonly Gen<JsonNode?> Noise = Gen.OneOf<JsonNode?>(
        Gen.Const<JsonNode?>((JsonNode?)null),
        Gen.Long.Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.Double[-1e300, 1e300].Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.String.Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.Bool.Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.Const<JsonNode?>((JsonNode?)null).Select(_ => (JsonNode?)new JsonArray(1, "x", null)),
        Gen.String.Select(v => (JsonNode?)new JsonObject { [v] = v }));

    /// <summary>A field: usually a value an SDK would send (so events get stored), sometimes noise, sometimes absent.</summary>
    private static Gen<(string Name, JsonNode? Value, bool Present)> Field(string name, Gen<JsonNode?> good) =>
        Gen.Frequency((6, good), (1, Noise)).Select(Gen.Int[0, 9], (v, p) => (name, (JsonNode?)v, p > 0));

    private static JsonNode? Text(string s) => JsonValue.Create(s);

    private static readonly Gen<JsonNode?> User = Gen.Int[1, 5].Select(i => Text($"user-{i}"));
    private static readonly Gen<JsonNode?> Timestamp = Gen.Frequency((8, Gen.Long[Now - 600, Now].Select(t => (JsonNode?)JsonValue.Create(t))), (1, Gen.Const<JsonNode?>(JsonValue.Create(Now + 86_400))));

    private static Gen<JsonObject> Object(params Gen<(string Name, JsonNode? Value, bool Present)>[] fields) =>
        Gen.Select(fields.Aggregate(Gen.Const(ImmutableFields.Empty), (acc, f) => acc.Select(f, (list, x) => list.Add(x))), list =>
        {
            var o = new JsonObject();
            foreach (var (name, value, present) in list.Items)
            {
                if (present) o[name] = value?.DeepClone();
            }
            return o;
        });

    private static readonly Gen<JsonObject> Evaluation = Object(
        Field("id", Gen.Const(Text("id"))), Field("environmentId", Gen.OneOf(Gen.Const(Text(Events.Env)), Gen.Const(Text("env-2")))), Field("timestamp", Timestamp),
        Field("featureId", Gen.Const(Text("flag-1"))), Field("featureVersion", Gen.Const<JsonNode?>(JsonValue.Create(1))), Field("userId", User),
        Field("variationId", Gen.OneOf(Gen.Const(Text("A")), Gen.Const(Text("B")))), Field("reason", Gen.OneOf(Gen.Const(Text("Rule")), Gen.Const(Text("DEFAULT")), Gen.Const<JsonNode?>(JsonValue.Create(99)))),
        Field("user", User.Select(u => (JsonNode?)new JsonObject { ["id"] = u, ["data"] = new JsonObject { ["k"] = "v" } })), Field("sourceId", Gen.Const(Text("Javascript"))));

    private static readonly Gen<JsonObject> Goal = Object(
        Field("id", Gen.Const(Text("id"))), Field("timestamp", Timestamp), Field("goalId", Gen.Const(Text("goal-1"))), Field("userId", User),
        Field("value", Gen.Double[-10, 10].Select(v => (JsonNode?)JsonValue.Create(v))), Field("tag", Gen.String.Select(s => Text(s))));

    private static readonly Gen<JsonObject> BucketeerEvaluation = Object(
        Field("timestamp", Timestamp), Field("featureId", Gen.Const(Text("flag-1"))), Field("feature_version", Gen.Const(Text("1"))), Field("userId", User),
        Field("variation_id", Gen.Const(Text("A"))), Field("reason", Gen.OneOf(Gen.Const<JsonNode?>(new JsonObject { ["type"] = "RULE" }), Gen.Const<JsonNode?>(new JsonObject { ["type"] = "ERROR_X" }))),
        Field("@type", Gen.Const(Text("type.googleapis.com/bucketeer.event.client.EvaluationEvent"))));

    private static readonly Gen<JsonObject> BucketeerGoal = Object(
        Field("timestamp", Timestamp), Field("goal_id", Gen.Const(Text("goal-1"))), Field("user", User.Select(u => (JsonNode?)new JsonObject { ["id"] = u })),
        Field("value", Gen.OneOf(Gen.Const<JsonNode?>(JsonValue.Create(1.5)), Gen.Const(Text("NaN")))), Field("@type", Gen.Const(Text("type.googleapis.com/bucketeer.event.client.GoalEvent"))));

    private static readonly Gen<JsonObject> Envelope = Gen.Select(Gen.Frequency((3, BucketeerEvaluation), (3, BucketeerGoal), (1, Object(Field("@type", Gen.String.Select(s => Text(s)))))),
        Gen.OneOf(Gen.Const<JsonNode?>((JsonNode?)null), Gen.Const<JsonNode?>(JsonValue.Create(1)), Gen.Const<JsonNode?>(JsonValue.Create(3)), Gen.Const<JsonNode?>(JsonValue.Create(4)), Noise),
        (inner, type) => new JsonObject { ["id"] = "id", ["type"] = type?.DeepClone(), ["event"] = inner });

    /// <summary>A body: the JSON, then a mutation (0 none, 1 cut, 2 one byte changed) at a random place; or plain noise.</summary>
    private static Gen<(string Json, int Mutation, int Place, char With)> Body(Gen<JsonObject> structure) =>
        Gen.Frequency(
            (10, structure.Select(Gen.Frequency((6, Gen.Const(0)), (1, Gen.Const(1)), (1, Gen.Const(2))), Gen.Int[0, 100_000], Gen.OneOf(Gen.Const('{'), Gen.Const('"'), Gen.Const(']'), Gen.Const('\\'), Gen.Char),
                (o, m, p, c) => (o.ToJsonString(), m, p, c))),
            (1, Gen.String.Select(s => (s, 0, 0, ' '))));

    private static readonly Gen<(string Json, int Mutation, int Place, char With)> V1Bodies = Body(
        Gen.Select(Evaluation.Array[0, 12], Goal.Array[0, 6], (e, g) => new JsonObject { ["evaluationEvents"] = new JsonArray([.. e]), ["goalEvents"] = new JsonArray([.. g]) }));

    private static readonly Gen<(string Json, int Mutation, int Place, char With)> RegisterBodies = Body(
        Envelope.Array[0, 12].Select(e => new JsonObject { ["events"] = new JsonArray([.. e]), ["sdkVersion"] = "2.6.1" }));

    [Fact]
    public async Task No_body_gets_a_5xx_and_no_event_called_rejected_is_stored()
    {
        await using var server = await IngestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Ingest:RequestsPerSecondPerKey"] = "1000000", ["Ingest:BurstPerKey"] = "1000000", ["Ingest:MaxEventsPerRequest"] = "15",
            ["Ingest:MaxRequestBodyBytes"] = "8192",
        });
        await server.SeedAsync(Events.Experiment(Now));
        // The key may not post for env-2: an event there that leaked through the door would be stored under this experiment.
        await server.SeedAsync(Events.Experiment(Now) with { EnvironmentId = "env-2" });
        var key = await server.CreateKeyAsync();
        var outcomes = new Dictionary<string, bool>(StringComparer.Ordinal); // id → accepted at least once
        var statuses = new Dictionary<int, int>();
        var request = 0;

        async Task Post(string path, (string Json, int Mutation, int Place, char With) body)
        {
            var n = Interlocked.Increment(ref request);
            var json = Unique(body.Json, n);
            json = body.Mutation switch
            {
                1 when json.Length > 0 => json[..(body.Place % json.Length)],
                2 when json.Length > 0 => json.Remove(body.Place % json.Length, 1).Insert(body.Place % json.Length, body.With.ToString()),
                _ => json,
            };
            var response = await server.PostAsync(path, json, key);
            var status = (int)response.StatusCode;
            var answer = await response.Content.ReadAsStringAsync();
            lock (statuses) statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.True(status < 500, $"{path} answered {status} to {json}: {answer}");
            if (status == 200) Record(path, json, answer, outcomes);
        }

        await V1Bodies.SampleAsync(b => Post(EventsEndpoint.Path, b), iter: 250, threads: 1);
        await RegisterBodies.SampleAsync(b => Post(RegisterEventsEndpoint.Path, b), iter: 250, threads: 1);

        var stored = await SettledIdsAsync(server);
        var calledRejected = outcomes.Where(o => !o.Value).Select(o => o.Key).ToHashSet();
        Assert.DoesNotContain(stored, calledRejected.Contains);
        Assert.DoesNotContain(stored, id => !outcomes.ContainsKey(id));
        // Not vacuous: both kinds of answer happened, and events were stored.
        Assert.True(stored.Count > 20 && calledRejected.Count > 20 && statuses.GetValueOrDefault(400) > 10, $"stored {stored.Count}, rejected {calledRejected.Count}, statuses {string.Join(", ", statuses)}");
    }

    /// <summary>Every string id "id" of the body becomes unique across the run: r{request}-{position}.</summary>
    private static string Unique(string json, int request)
    {
        var i = 0;
        return json.Replace("\"id\":\"id\"", "\"id\":\"__ID__\"", StringComparison.Ordinal).Split("__ID__")
            .Aggregate(new StringBuilder(), (sb, part) => sb.Length == 0 && i == 0 ? sb.Append(part).Also(() => i++) : sb.Append($"r{request}-{i++}").Append(part)).ToString();
    }

    /// <summary>Reads which occurrences the answer rejected; an id counts as accepted when any occurrence of it was.</summary>
    private static void Record(string path, string json, string answer, Dictionary<string, bool> outcomes)
    {
        using var request = JsonDocument.Parse(json);
        var reply = JsonNode.Parse(answer)!;
        void Mark(string id, bool accepted)
        {
            if (id.Length == 0) return;
            outcomes[id] = outcomes.GetValueOrDefault(id) || accepted;
        }
        if (path == EventsEndpoint.Path)
        {
            var rejected = reply["rejected"]!.AsArray().Select(r => (r!["kind"]!.GetValue<string>(), r["index"]!.GetValue<int>())).ToHashSet();
            foreach (var (list, kind) in new[] { ("evaluationEvents", "evaluation"), ("goalEvents", "goal") })
            {
                if (!Property(request.RootElement, list, out var array) || array.ValueKind != JsonValueKind.Array) continue;
                var index = 0;
                foreach (var e in array.EnumerateArray())
                {
                    Mark(IdOf(e), !rejected.Contains((kind, index++)));
                }
            }
            return;
        }
        var errors = reply["errors"]!.AsObject();
        var ids = request.RootElement.GetProperty("events").EnumerateArray().Select(IdOf).ToList();
        foreach (var id in ids)
        {
            Mark(id, !errors.ContainsKey(id) || ids.Count(x => x == id) > 1);
        }
    }

    private static bool Property(JsonElement o, string name, out JsonElement value)
    {
        value = default;
        if (o.ValueKind != JsonValueKind.Object) return false;
        foreach (var p in o.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) { value = p.Value; return true; }
        }
        return false;
    }

    private static string IdOf(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : "";

    /// <summary>Stored, linked and parked event ids, once they stop changing for a second.</summary>
    private static async Task<HashSet<string>> SettledIdsAsync(IngestServer server)
    {
        HashSet<string> last = [];
        var stableSince = DateTime.UtcNow;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            await using var db = server.Services.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();
            var now = (await db.EvaluationEvents.Select(e => e.Id).ToListAsync())
                .Concat(await db.GoalEvents.Select(g => g.Id).ToListAsync())
                .Concat(await db.GoalEventRetries.Select(g => g.EventId).ToListAsync()).ToHashSet();
            if (!now.SetEquals(last)) (last, stableSince) = (now, DateTime.UtcNow);
            else if (DateTime.UtcNow - stableSince > TimeSpan.FromSeconds(1.5)) return last;
            await Task.Delay(100);
        }
        return last;
    }
}

/// <summary>An immutable list for building generators field by field.</summary>
internal sealed record ImmutableFields(IReadOnlyList<(string Name, JsonNode? Value, bool Present)> Items)
{
    public static readonly ImmutableFields Empty = new([]);
    public ImmutableFields Add((string, JsonNode?, bool) x) => new([.. Items, x]);
}

internal static class StringBuilderExtensions
{
    public static StringBuilder Also(this StringBuilder sb, Action action)
    {
        action();
        return sb;
    }
}
