using System.Collections.Concurrent;
using MassTransit;
using Persisters.Contracts;
using Persisters.IntegrationTests.Support;

namespace Persisters.IntegrationTests;

/// <summary>
/// Issue 16: the kill switch on real servers. Two host processes on MariaDB + RabbitMQ count concurrent batches that cross a rule's
/// threshold, and exactly one <see cref="DisableFeature"/> reaches the flag service and one signed webhook reaches a real HTTP
/// listener; a host SIGKILLed after committing a trigger and before publishing it loses nothing. The waits are upper bounds for a
/// loaded CI machine, not measurements (bench/Persisters.AutoOpsRuleAssessor.Bench measures the latency).
/// </summary>
public sealed class When_a_kill_switch_triggers_in_two_hosts
{
    private const string Env = "it-killswitch";
    private const int Users = 300;

    private sealed class FlagService
    {
        public ConcurrentQueue<DisableFeature> Commands { get; } = new();
        public ConcurrentQueue<EventRateRuleTriggered> Events { get; } = new();
    }

    private static async Task<FlagService> ListenAsync(ServiceUnderTest sut)
    {
        var flags = new FlagService();
        var handle = sut.Bus.ConnectReceiveEndpoint("it-flag-service", e =>
        {
            e.Handler<DisableFeature>(c => { flags.Commands.Enqueue(c.Message); return Task.CompletedTask; });
            e.Handler<EventRateRuleTriggered>(c => { flags.Events.Enqueue(c.Message); return Task.CompletedTask; });
        });
        await handle.Ready;
        return flags;
    }

    private static AutoOpsRuleDefinition Rule(string feature) => new()
    {
        RuleId = Guid.NewGuid(), EnvironmentId = Env, FeatureId = feature, FeatureVersion = 1, Status = AutoOpsRuleStatus.Running,
        Clauses = [new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "B", GoalId = "error", MinCount = 100, Threshold = 0.5 }],
    };

    private static List<EvaluationEvent> Served(string feature) => Enumerable.Range(0, Users).Select(i => new EvaluationEvent
    {
        Id = $"ev-{feature}-{i}", EnvironmentId = Env, Timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), FeatureId = feature, FeatureVersion = 1,
        UserId = $"user-{i}", VariationId = "B", Reason = ReasonType.Rule, SourceId = SourceId.GoServer,
    }).ToList();

    private static List<GoalEvent> Errors(string feature, int from, int count) => Enumerable.Range(from, count).Select(i => new GoalEvent
    {
        Id = $"goal-{feature}-{i}", EnvironmentId = Env, Timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), GoalId = "error", UserId = $"user-{i}",
        SourceId = SourceId.GoServer,
    }).ToList();

    private static async Task WaitUntilAsync(Func<bool> done, TimeSpan patience, Func<string> what)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!done())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException(what());
            await Task.Delay(100);
        }
    }

    private static async Task<ServiceUnderTest> CreateAsync(WebhookReceiver receiver)
    {
        var sut = await ServiceUnderTest.CreateAsync();
        sut.Environment[$"AutoOps__Webhooks__{Env}__Url"] = receiver.Url;
        sut.Environment[$"AutoOps__Webhooks__{Env}__Secret"] = receiver.Secret;
        return sut;
    }

    [Fact]
    public async Task Concurrent_batches_in_two_hosts_crossing_the_threshold_give_one_command_and_one_webhook()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sut = await CreateAsync(receiver);
        var flags = await ListenAsync(sut);
        var feature = $"ks-{Guid.NewGuid():N}"[..16];
        var rule = Rule(feature);
        await sut.SeedAsync(rule);
        // Small batches, so that neither host takes the whole stream: both count, and both assess the clause as it crosses.
        sut.Environment["Persisters__Batch__MessageLimit"] = "10";
        await using var hostA = await sut.StartHostAsync();
        await using var hostB = await sut.StartHostAsync();

        await sut.PublishAsync(Served(feature));
        Assert.Equal(Users, await sut.WaitForCountAsync($"SELECT COALESCE(SUM(evaluation_count), 0) FROM ops_count WHERE auto_ops_rule_id = '{rule.RuleId:D}'", Users, TimeSpan.FromMinutes(1)));
        // Two publishers at once, one event per message, so both hosts take batches that cross 150 goal users of 300 together.
        await Task.WhenAll(
            Task.Run(() => sut.PublishAsync(Errors(feature, 0, Users / 2 + 20))),
            Task.Run(() => sut.PublishAsync(Errors(feature, Users / 2 - 20, Users / 2 + 20))));

        await WaitUntilAsync(() => !flags.Commands.IsEmpty && !receiver.Requests.IsEmpty, TimeSpan.FromSeconds(30),
            () => $"commands {flags.Commands.Count}, webhooks {receiver.Requests.Count}\nhost A:\n{hostA.Output}\nhost B:\n{hostB.Output}");
        await Task.Delay(TimeSpan.FromSeconds(3)); // anything that would come twice comes now

        var command = Assert.Single(flags.Commands);
        var triggered = Assert.Single(flags.Events);
        var webhook = Assert.Single(receiver.Requests);
        Assert.Equal((rule.RuleId, feature, Env), (command.RuleId, command.FeatureId, command.EnvironmentId));
        Assert.Equal(triggered.TriggerId, command.TriggerId);
        Assert.True(webhook.SignatureValid, webhook.Signature);
        Assert.Equal(triggered.TriggerId.ToString("D"), webhook.IdempotencyKey);
        Assert.True(triggered.EvaluationUsers == Users && triggered.GoalUsers >= Users / 2 && triggered.Rate >= 0.5, $"{triggered}");
        Assert.Equal(1, await sut.Database.ScalarAsync($"SELECT COUNT(*) FROM auto_ops_trigger WHERE auto_ops_rule_id = '{rule.RuleId:D}'"));
        Assert.Equal(1, await sut.Database.ScalarAsync($"SELECT COUNT(*) FROM auto_ops_trigger WHERE auto_ops_rule_id = '{rule.RuleId:D}' AND webhook_state = 1 AND published_at IS NOT NULL AND due_at IS NULL"));
        Assert.Equal((long)AutoOpsRuleStatus.Finished, await sut.Database.ScalarAsync($"SELECT status FROM auto_ops_rule WHERE id = '{rule.RuleId:D}'"));
        Assert.Equal(triggered.GoalUsers, await sut.Database.ScalarAsync($"SELECT triggered_ops_event_count FROM auto_ops_rule WHERE id = '{rule.RuleId:D}'"));
        var metricsA = PrometheusText.Parse(await hostA.GetAsync("/metrics"));
        var metricsB = PrometheusText.Parse(await hostB.GetAsync("/metrics"));
        Assert.True(metricsA.Sum("persisters_events_received_total", ("persister", "goal-events-ops")) > 0, "host A took no goal events");
        Assert.True(metricsB.Sum("persisters_events_received_total", ("persister", "goal-events-ops")) > 0, "host B took no goal events");
        Assert.Equal(1, metricsA.Sum("persisters_event_rate_rules_triggered_total") + metricsB.Sum("persisters_event_rate_rules_triggered_total"));
        Assert.Equal(1, metricsA.Sum("persisters_webhook_attempts_total", ("outcome", "delivered")) + metricsB.Sum("persisters_webhook_attempts_total", ("outcome", "delivered")));
    }

    [Fact]
    public async Task A_trigger_committed_by_a_host_killed_before_publishing_is_delivered_once_by_another_host()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sut = await CreateAsync(receiver);
        var flags = await ListenAsync(sut);
        var feature = $"ks-{Guid.NewGuid():N}"[..16];
        var rule = Rule(feature);
        await sut.SeedAsync(rule);

        // Host A counts and triggers, but does not dispatch: its trigger stays committed and unpublished until it is killed.
        var environmentA = new Dictionary<string, string>(sut.Environment) { ["AutoOps__Dispatch"] = "false" };
        var hostA = HostProcess.Start(environmentA, "run");
        try
        {
            await hostA.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            await sut.PublishAsync(Served(feature));
            await sut.PublishAsync(Errors(feature, 0, Users / 2));
            Assert.Equal(1, await sut.WaitForCountAsync($"SELECT COUNT(*) FROM auto_ops_trigger WHERE auto_ops_rule_id = '{rule.RuleId:D}'", 1, TimeSpan.FromMinutes(1)));
            Assert.Equal(0, await sut.Database.ScalarAsync($"SELECT COUNT(*) FROM auto_ops_trigger WHERE published_at IS NOT NULL"));
            hostA.Kill(); // SIGKILL between the commit and the publish
        }
        finally
        {
            await hostA.DisposeAsync();
        }
        Assert.Empty(flags.Commands);
        Assert.Empty(receiver.Requests);

        await using var hostB = await sut.StartHostAsync();
        await WaitUntilAsync(() => !flags.Commands.IsEmpty && !receiver.Requests.IsEmpty, TimeSpan.FromSeconds(30),
            () => $"commands {flags.Commands.Count}, webhooks {receiver.Requests.Count}\nhost B:\n{hostB.Output}");
        await Task.Delay(TimeSpan.FromSeconds(3));

        var command = Assert.Single(flags.Commands);
        Assert.Single(flags.Events);
        var webhook = Assert.Single(receiver.Requests);
        Assert.True(webhook.SignatureValid, webhook.Signature);
        Assert.Equal(command.TriggerId.ToString("D"), webhook.IdempotencyKey);
        Assert.Equal(1, await sut.Database.ScalarAsync($"SELECT COUNT(*) FROM auto_ops_trigger WHERE auto_ops_rule_id = '{rule.RuleId:D}' AND webhook_state = 1 AND due_at IS NULL"));
    }
}
