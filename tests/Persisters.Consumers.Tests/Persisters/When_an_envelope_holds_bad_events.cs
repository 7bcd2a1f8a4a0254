using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Persisters.Contracts;
using Persisters.Tests.Support;

namespace Persisters.Tests.Persisters;

/// <summary>
/// One bad event never costs its neighbours (issue 11, items 2 and 3): nulls and wrong-typed fields are handled event by
/// event, whether the event came alone or in an envelope, and every event that could be read is stored.
/// </summary>
public sealed class When_an_envelope_holds_bad_events
{
    private const string Dwh = "evaluation-events-dwh";
    private const string Ops = "evaluation-events-ops";

    private static string Json(EvaluationEvent e) => JsonSerializer.Serialize(e, MassTransit.Serialization.SystemTextJsonMessageSerializer.Options);

    [Fact]
    public async Task An_envelope_whose_events_are_null_is_skipped_and_the_envelopes_around_it_are_stored()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var good = Enumerable.Range(0, 10)
            .Select(i => new EvaluationEventBatch { Events = Enumerable.Range(0, 10).Select(j => Events.Evaluation(now - 10, user: $"u{i}-{j}")).ToList() })
            .ToList();

        await h.PublishAsync([.. good.Take(5), new EvaluationEventBatch { Events = null! }, .. good.Skip(5)]);
        await h.PublishJsonAsync<EvaluationEventBatch>("{}", "{\"events\":null}");

        Assert.Equal(100, (await h.EvaluationRowsAsync()).Count);
        Assert.Equal(3, h.Metrics.Skipped(Dwh, "missing_events"));
        Assert.Equal(3, h.Metrics.Skipped(Ops, "missing_events"));
    }

    [Fact]
    public async Task Null_events_and_null_fields_cost_nothing_but_themselves()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var plain = Events.Evaluation(now - 10, user: "plain");
        var nulls = Events.Evaluation(now - 10, user: "nulls") with
        {
            VariationId = null!,
            Tag = null!,
            SdkVersion = null!,
            Metadata = new Dictionary<string, string> { ["k"] = null! },
            User = new UserInfo { Id = null!, Data = new Dictionary<string, string> { ["plan"] = "pro", ["gone"] = null! } },
        };
        var noUser = Events.Evaluation(now - 10, user: "no-user") with { User = null };

        await h.PublishAsync(new EvaluationEventBatch { Events = [plain, null!, nulls, noUser] });
        // The same kind of event alone: a null field is the field's default there too.
        var alone = Events.Evaluation(now - 10, user: "alone") with { SdkVersion = null!, Tag = null!, User = new UserInfo { Id = "alone", Data = null } };
        await h.PublishAsync(alone);

        var rows = (await h.EvaluationRowsAsync()).ToDictionary(r => r.UserId);
        Assert.Equal(["alone", "no-user", "nulls", "plain"], rows.Keys.Order());
        Assert.Equal(("default", "none", "", "{\"plan\":\"pro\"}"), (rows["nulls"].VariationId, rows["nulls"].Tag, rows["nulls"].SdkVersion, rows["nulls"].UserData));
        Assert.Null(rows["no-user"].UserData);
        Assert.Equal(("", "{}"), (rows["alone"].SdkVersion, rows["alone"].UserData));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "malformed_event"));
        Assert.Equal(1, h.Metrics.Skipped(Ops, "malformed_event"));
    }

    [Fact]
    public async Task A_wrong_typed_field_makes_only_its_event_malformed_and_it_lands_alone_on_the_error_queue()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var good = Events.Evaluation(now - 10, user: "good");
        var stringTimestamp = Json(Events.Evaluation(now - 10, user: "string-ts")).Replace($"\"timestamp\": {now - 10}", $"\"timestamp\": \"{now - 10}\"");
        const string notANumber = "{\"id\":\"bad-ts\",\"environmentId\":\"env-1\",\"timestamp\":\"not a number\",\"featureId\":\"flag-1\",\"userId\":\"x\"}";
        const string numberForString = "{\"id\":\"bad-user\",\"environmentId\":\"env-1\",\"timestamp\":1,\"featureId\":\"flag-1\",\"userId\":12}";

        await h.PublishJsonAsync<EvaluationEventBatch>($"{{\"events\":[{Json(good)},{stringTimestamp},{notANumber},5,{numberForString}]}}");

        Assert.Equal(["good", "string-ts"], (await h.EvaluationRowsAsync()).Select(r => r.UserId).Order());
        Assert.Equal(3, h.Metrics.Skipped(Dwh, "malformed_event"));
        Assert.Equal(3, h.Metrics.Skipped(Ops, "malformed_event"));

        // Each malformed event, alone, on each persister queue's _error queue: its JSON as received and the reason.
        var dead = DeadLetters(h, Dwh);
        Assert.Equal(3, dead.Count);
        Assert.Equal(3, DeadLetters(h, Ops).Count);
        var (body, fault) = dead.Single(d => d.Body.Contains("bad-ts"));
        Assert.Equal(notANumber, JsonSerializer.Deserialize<JsonElement>(body).GetProperty("message").GetRawText());
        Assert.Contains("timestamp", fault);
        Assert.Contains(dead, d => d.Fault.Contains("not a JSON object") && JsonSerializer.Deserialize<JsonElement>(d.Body).GetProperty("message").GetRawText() == "5");
        Assert.Contains(dead, d => d.Body.Contains("bad-user") && d.Fault.Contains("userId"));
    }

    [Fact]
    public async Task A_malformed_goal_event_in_an_envelope_is_skipped_and_its_neighbours_are_linked()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        await h.PublishAsync(Events.Evaluation(now - 300, user: "u1", variation: "B"), Events.Evaluation(now - 300, user: "u2", variation: "A"));
        var goals = new[] { Events.Goal(now - 100, user: "u1"), Events.Goal(now - 100, user: "u2") }
            .Select(g => JsonSerializer.Serialize(g, MassTransit.Serialization.SystemTextJsonMessageSerializer.Options));
        const string badValue = "{\"id\":\"bad-goal\",\"environmentId\":\"env-1\",\"timestamp\":1,\"goalId\":\"goal-1\",\"userId\":\"u1\",\"value\":true}";

        await h.PublishJsonAsync<GoalEventBatch>($"{{\"events\":[{string.Join(",", goals)},{badValue}]}}");

        Assert.Equal(["A", "B"], (await h.GoalRowsAsync()).Select(r => r.VariationId).Order());
        Assert.Equal(1, h.Metrics.Skipped("goal-events-dwh", "malformed_event"));
        Assert.Single(DeadLetters(h, "goal-events-dwh"));
        Assert.Single(DeadLetters(h, "goal-events-ops"));
    }

    [Fact]
    public async Task Malformed_events_never_reach_the_kill_switch_counts()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var rule = new AutoOpsRuleDefinition
        {
            RuleId = Guid.NewGuid(), EnvironmentId = Events.Env, FeatureId = "flag-1", FeatureVersion = 1, Status = AutoOpsRuleStatus.Running,
            Clauses = [new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "B", GoalId = "goal-1", MinCount = 1, Threshold = 0.5 }],
        };
        await h.SeedAsync(rule);
        var counted = Json(Events.Evaluation(now, user: "u1", variation: "B"));
        var versionAsFraction = Json(Events.Evaluation(now, user: "u2", variation: "B")).Replace("\"featureVersion\": 1", "\"featureVersion\": 1.5");

        await h.PublishJsonAsync<EvaluationEventBatch>($"{{\"events\":[{counted},{versionAsFraction}]}}");

        var count = await h.QueryAsync(db => db.OpsCounts.AsNoTracking().SingleAsync());
        Assert.Equal(1, count.EvaluationCount);
        Assert.Equal(1, h.Metrics.Skipped(Ops, "malformed_event"));
    }

    /// <summary>What the persister put on its queue's _error queue: the MassTransit envelope's text and MT-Fault-Message.</summary>
    private static List<(string Body, string Fault)> DeadLetters(PersisterHarness h, string queue) =>
        h.Harness.Sent.Select<EvaluationEvent>().Cast<ISentMessage>().Concat(h.Harness.Sent.Select<GoalEvent>())
            .Where(s => s.Context.DestinationAddress?.AbsolutePath.EndsWith($"/{queue}_error", StringComparison.Ordinal) == true)
            .Select(s => (Body(s.Context), s.Context.Headers.Get<string>(MessageHeaders.FaultMessage) ?? ""))
            .ToList();

    private static string Body(SendContext context) => context switch
    {
        SendContext<EvaluationEvent> e => e.Serializer.GetMessageBody(e).GetString(),
        SendContext<GoalEvent> g => g.Serializer.GetMessageBody(g).GetString(),
        _ => "",
    };
}
