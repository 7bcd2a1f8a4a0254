using System.Text.Json;
using MassTransit.Testing;
using Persisters.Consumers.AutoOps;
using Persisters.Contracts;
using Persisters.Persistence.Model;
using Persisters.Tests.Support;

namespace Persisters.Tests.AutoOps;

/// <summary>
/// What the kill switch does after a trigger commits: the dispatcher publishes the event and the flag service's command, and POSTs
/// the environment's webhook to a real HTTP listener that checks the signature; failures are retried with backoff and recorded.
/// </summary>
public sealed class When_a_triggered_rule_is_dispatched
{
    private static AutoOpsRuleDefinition Rule(string environment = Events.Env) => new()
    {
        RuleId = Guid.NewGuid(), EnvironmentId = environment, FeatureId = "flag-1", FeatureVersion = 1, Status = AutoOpsRuleStatus.Running,
        Clauses = [new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "B", GoalId = "error", MinCount = 1, Threshold = 0.5 }],
    };

    private static async Task CrossAsync(PersisterHarness h)
    {
        var now = h.Clock.UnixNow;
        await h.PublishAsync(Events.Evaluation(now, user: "u1", variation: "B"), Events.Evaluation(now, user: "u2", variation: "B"));
        await h.PublishAsync(Events.Goal(now, user: "u1", goal: "error"));
    }

    [Fact]
    public async Task The_event_the_command_and_one_signed_webhook_go_out_with_the_trigger_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await PersisterHarness.StartAsync(killSwitch: o => o.Webhooks[Events.Env] = new WebhookTarget { Url = receiver.Url, Secret = receiver.Secret });
        var rule = Rule();
        await h.SeedAsync(rule);

        await CrossAsync(h);

        var trigger = Assert.Single(await h.WaitForTriggersAsync(t => t.DueAt is null));
        Assert.Equal((WebhookDeliveryState.Delivered, 1, (string?)null), ((WebhookDeliveryState)trigger.WebhookState, trigger.WebhookAttempts, trigger.WebhookLastError));
        Assert.NotNull(trigger.PublishedAt);

        var request = Assert.Single(receiver.Requests);
        Assert.True(request.SignatureValid, request.Signature);
        Assert.Equal(trigger.Id.ToString("D"), request.IdempotencyKey);
        Assert.StartsWith("application/json", request.ContentType);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("EventRateRuleTriggered", body.RootElement.GetProperty("type").GetString());
        Assert.Equal(rule.RuleId, body.RootElement.GetProperty("ruleId").GetGuid());
        Assert.Equal(rule.Clauses[0].ClauseId, body.RootElement.GetProperty("clauseId").GetGuid());
        Assert.Equal((2, 1, 0.5, "ge", "disable"), (body.RootElement.GetProperty("evaluationUsers").GetInt64(), body.RootElement.GetProperty("goalUsers").GetInt64(),
            body.RootElement.GetProperty("rate").GetDouble(), body.RootElement.GetProperty("operator").GetString(), body.RootElement.GetProperty("action").GetString()));

        var triggered = Assert.Single(h.Harness.Published.Select<EventRateRuleTriggered>());
        Assert.Equal((trigger.Id, trigger.Id, rule.RuleId, 2L, 1L), (triggered.Context.MessageId!.Value, triggered.Context.Message.TriggerId, triggered.Context.Message.RuleId,
            triggered.Context.Message.EvaluationUsers, triggered.Context.Message.GoalUsers));
        var disable = Assert.Single(h.Harness.Published.Select<DisableFeature>());
        Assert.Equal((trigger.Id, Events.Env, "flag-1", 1, rule.RuleId), (disable.Context.Message.TriggerId, disable.Context.Message.EnvironmentId, disable.Context.Message.FeatureId,
            disable.Context.Message.FeatureVersion, disable.Context.Message.RuleId));
        Assert.Equal(AutoOpsTriggerDispatcher.DerivedId(trigger.Id, nameof(DisableFeature)), disable.Context.MessageId);
        Assert.Contains(h.Harness.Published.Select<PersisterDemandChanged>(), m => m.Context.Message.RuleId == rule.RuleId && !m.Context.Message.IsLive);

        Assert.Equal(0, await h.DispatchAsync()); // nothing left to do
        Assert.Single(receiver.Requests);
        Assert.Equal(1, h.Metrics.Sum("persisters_webhook_attempts", ("outcome", "delivered")));
    }

    [Fact]
    public async Task A_failing_receiver_is_retried_with_backoff_under_one_idempotency_key_until_the_attempts_run_out()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        for (var i = 0; i < 100; i++) receiver.Answers.Enqueue(503);
        await using var h = await PersisterHarness.StartAsync(killSwitch: o =>
        {
            o.Webhooks[Events.Env] = new WebhookTarget { Url = receiver.Url, Secret = receiver.Secret };
            o.WebhookMaxAttempts = 2;
        });
        await h.SeedAsync(Rule());

        await CrossAsync(h);

        var first = Assert.Single(await h.WaitForTriggersAsync(t => t.WebhookAttempts == 1));
        Assert.Equal((WebhookDeliveryState.Pending, "HTTP 503 Service Unavailable"), ((WebhookDeliveryState)first.WebhookState, first.WebhookLastError));
        Assert.Equal(first.WebhookLastAttemptAt + 1000, first.DueAt); // the next attempt in 1 s (then 2, 4, ... at most 5 min)
        Assert.Equal(4, receiver.Requests.Count); // one attempt = the request and the HTTP client's 3 quick retries
        Assert.Equal(0, await h.DispatchAsync()); // not due yet

        h.Clock.Advance(TimeSpan.FromSeconds(1));
        await h.DispatchAsync();
        var last = Assert.Single(await h.WaitForTriggersAsync(t => t.DueAt is null));

        Assert.Equal((WebhookDeliveryState.Failed, 2), ((WebhookDeliveryState)last.WebhookState, last.WebhookAttempts));
        Assert.Equal(8, receiver.Requests.Count);
        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid));
        Assert.Single(receiver.Requests.Select(r => r.IdempotencyKey).Distinct());
        Assert.Equal((1L, 1L), (h.Metrics.Sum("persisters_webhook_attempts", ("outcome", "retrying")), h.Metrics.Sum("persisters_webhook_attempts", ("outcome", "failed"))));
        Assert.Single(h.Harness.Published.Select<EventRateRuleTriggered>()); // published once, whatever the webhook does
    }

    [Fact]
    public async Task A_receiver_that_recovers_gets_the_trigger_and_an_environment_without_a_webhook_is_recorded_as_such()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answers.Enqueue(500);
        receiver.Answers.Enqueue(429);
        await using var h = await PersisterHarness.StartAsync(killSwitch: o => o.Webhooks[Events.Env] = new WebhookTarget { Url = receiver.Url, Secret = receiver.Secret });
        await h.SeedAsync(Rule());
        await h.SeedAsync(Rule("env-2"));

        await CrossAsync(h);
        var now = h.Clock.UnixNow;
        await h.PublishAsync(Events.Evaluation(now, user: "u1", variation: "B") with { EnvironmentId = "env-2" }, Events.Evaluation(now, user: "u2", variation: "B") with { EnvironmentId = "env-2" });
        await h.PublishAsync(Events.Goal(now, user: "u1", goal: "error") with { EnvironmentId = "env-2" });

        var rows = await h.WaitForTriggersAsync(t => t.DueAt is null);
        Assert.Equal(2, rows.Count);
        var delivered = rows.Single(t => t.EnvironmentId == Events.Env);
        Assert.Equal((WebhookDeliveryState.Delivered, 1), ((WebhookDeliveryState)delivered.WebhookState, delivered.WebhookAttempts)); // the client's retries got it through
        Assert.Equal([500, 429, 200], receiver.Requests.Select(r => r.Answer));
        Assert.Equal(WebhookDeliveryState.NotConfigured, (WebhookDeliveryState)rows.Single(t => t.EnvironmentId == "env-2").WebhookState);
    }

    [Fact]
    public async Task An_unreachable_receiver_is_recorded_with_its_error()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        } // closed: connections to it are refused
        await using var h = await PersisterHarness.StartAsync(killSwitch: o =>
        {
            o.Webhooks[Events.Env] = new WebhookTarget { Url = $"http://127.0.0.1:{port}/hook", Secret = "a-webhook-secret-of-some-length" };
            o.WebhookMaxAttempts = 1;
        });
        await h.SeedAsync(Rule());

        await CrossAsync(h);

        var trigger = Assert.Single(await h.WaitForTriggersAsync(t => t.DueAt is null));
        Assert.Equal((WebhookDeliveryState.Failed, 1), ((WebhookDeliveryState)trigger.WebhookState, trigger.WebhookAttempts));
        Assert.StartsWith("HttpRequestException: ", trigger.WebhookLastError);
        Assert.NotNull(trigger.PublishedAt); // the messages went out all the same
        Assert.Equal(1, h.Metrics.Sum("persisters_webhook_attempts", ("outcome", "failed")));
    }
}
