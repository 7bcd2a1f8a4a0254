using Persisters.Contracts;
using Persisters.IntegrationTests.Support;

namespace Persisters.IntegrationTests;

/// <summary>
/// Two real host processes on MariaDB + RabbitMQ or Azure Service Bus (the test emulator), driven by the operator verbs: the
/// persister queues have consumers exactly while an experiment is live (DWH) or an event-rate rule is active (OPS), on both
/// hosts, as the broker itself lists them (RabbitMQ's consumers, the emulator's open receiver links).
/// The waits are upper bounds for a loaded CI machine, not measurements: bench/Persisters.OnDemand.Bench measures the latency.
/// </summary>
public sealed class When_persisters_run_on_demand_in_two_hosts
{
    private const string EvaluationsDwh = "evaluation-events-dwh";
    private const string GoalsDwh = "goal-events-dwh";
    private const string EvaluationsOps = "evaluation-events-ops";
    private const string GoalsOps = "goal-events-ops";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static Dictionary<string, int> Consumers(int dwh, int ops) => new()
    {
        [EvaluationsDwh] = dwh, [GoalsDwh] = dwh, [EvaluationsOps] = ops, [GoalsOps] = ops,
    };

    private static async Task<ServiceUnderTest> CreateAsync(Broker broker)
    {
        var sut = await ServiceUnderTest.CreateAsync(broker);
        // A short late-event tail, so that the stopped experiment finishes within the test. The reconcile stays at its
        // default (60 s): every change below must reach the hosts through the demand-change message.
        sut.Environment["Persisters__LateEventTail"] = "00:00:05";
        return sut;
    }

    private static List<EvaluationEvent> Evaluations(string environment, string feature, string prefix, int count)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Enumerable.Range(0, count).Select(i => new EvaluationEvent
        {
            Id = $"{prefix}-{i}",
            EnvironmentId = environment,
            Timestamp = now,
            FeatureId = feature,
            FeatureVersion = 1,
            UserId = $"user-{i % 37}",
            VariationId = i % 2 == 0 ? "A" : "B",
            Reason = ReasonType.Rule,
            SourceId = SourceId.GoServer,
        }).ToList();
    }

    private static void ShouldBeAccepted((int ExitCode, string Output) verb, string detail)
    {
        Assert.True(verb.ExitCode == 0, $"the verb failed ({verb.ExitCode}):\n{verb.Output}");
        Assert.Contains($"accepted: ", verb.Output);
        Assert.Contains(detail, verb.Output);
    }

    [Theory]
    [InlineData(Broker.RabbitMq)]
    [InlineData(Broker.AzureServiceBus)]
    public async Task The_DWH_queues_have_consumers_on_both_hosts_only_while_an_experiment_is_live(Broker broker)
    {
        await using var sut = await CreateAsync(broker);
        var hostA = HostProcess.Start(sut.Environment, "run");
        var hostB = HostProcess.Start(sut.Environment, "run");
        try
        {
            await Task.WhenAll(hostA.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)), hostB.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)));

            // Idle: the four queues are declared (events published now are kept) and nobody consumes them.
            await sut.ShouldHaveConsumersAsync(Consumers(dwh: 0, ops: 0), Patience);
            foreach (var queue in Consumers(0, 0).Keys) Assert.True(await sut.QueueExistsAsync(queue), $"{queue} was not declared");

            // A waiting experiment needs nothing yet.
            var id = Guid.NewGuid();
            var feature = $"on-demand-{id:N}"[..24];
            ShouldBeAccepted(await sut.RunVerbAsync(hostB, "experiments", "create", "--id", id.ToString(), "--environment", "it", "--feature", feature,
                "--variations", "A,B", "--goals", "purchase", "--start-at", DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString()), "created");
            await Task.Delay(1000);
            await sut.ShouldHaveConsumersAsync(Consumers(dwh: 0, ops: 0), TimeSpan.Zero);

            // Started by the operator: both hosts connect the DWH pair, and events are persisted.
            ShouldBeAccepted(await sut.RunVerbAsync(hostB, "experiments", "start", "--id", id.ToString()), "started");
            await sut.ShouldHaveConsumersAsync(Consumers(dwh: 2, ops: 0), Patience);
            var first = Evaluations("it", feature, "first", 300);
            await sut.PublishAsync(first);
            var sql = $"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{feature}'";
            Assert.Equal(first.Count, await sut.WaitForCountAsync(sql, first.Count, TimeSpan.FromMinutes(1)));

            // A host killed during the experiment: its consumers (receiver links) vanish with its connection; restarted, it connects again.
            hostA.Kill();
            await sut.ShouldHaveConsumersAsync(Consumers(dwh: 1, ops: 0), Patience);
            await hostA.DisposeAsync();
            hostA = HostProcess.Start(sut.Environment, "run");
            await hostA.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            await sut.ShouldHaveConsumersAsync(Consumers(dwh: 2, ops: 0), Patience);
            var second = Evaluations("it", feature, "second", 300);
            await sut.PublishAsync(second);
            Assert.Equal(first.Count + second.Count, await sut.WaitForCountAsync(sql, first.Count + second.Count, TimeSpan.FromMinutes(1)));

            // Stopped: late events are still taken during the (5 s) tail, then both hosts let go of the queues.
            ShouldBeAccepted(await sut.RunVerbAsync(hostB, "experiments", "stop", "--id", id.ToString()), "stopped");
            await sut.ShouldHaveConsumersAsync(Consumers(dwh: 0, ops: 0), TimeSpan.FromSeconds(60));
            var list = await sut.RunVerbAsync(hostB, "experiments", "list");
            Assert.Equal(0, list.ExitCode);
            Assert.Matches($"{id}\\s+Finished", list.Output);
        }
        finally
        {
            await hostA.DisposeAsync();
            await hostB.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(Broker.RabbitMq)]
    [InlineData(Broker.AzureServiceBus)]
    public async Task The_OPS_queues_have_consumers_on_both_hosts_only_while_an_event_rate_rule_is_active(Broker broker)
    {
        await using var sut = await CreateAsync(broker);
        await using var hostA = HostProcess.Start(sut.Environment, "run");
        await using var hostB = HostProcess.Start(sut.Environment, "run");
        await Task.WhenAll(hostA.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)), hostB.WaitUntilReadyAsync(TimeSpan.FromSeconds(60)));
        await sut.ShouldHaveConsumersAsync(Consumers(dwh: 0, ops: 0), Patience);

        var id = Guid.NewGuid();
        ShouldBeAccepted(await sut.RunVerbAsync(hostA, "autoops", "create", "--id", id.ToString(), "--environment", "it", "--feature", "kill-me",
            "--clause", "B:error:10:0.5:ge"), "created");
        await sut.ShouldHaveConsumersAsync(Consumers(dwh: 0, ops: 2), Patience);
        var list = await sut.RunVerbAsync(hostA, "autoops", "list");
        Assert.Contains(id.ToString(), list.Output);
        Assert.Contains("B:error:10:0.5:ge", list.Output);

        // A bad command is rejected with its reason and changes nothing.
        var rejected = await sut.RunVerbAsync(hostA, "autoops", "create", "--environment", "it", "--feature", "kill-me", "--clause", "B:error:0:0.5");
        Assert.Equal(1, rejected.ExitCode);
        Assert.Contains("rejected:", rejected.Output);
        Assert.Contains("MinCount must be at least 1", rejected.Output);

        ShouldBeAccepted(await sut.RunVerbAsync(hostA, "autoops", "delete", "--id", id.ToString()), "deleted");
        await sut.ShouldHaveConsumersAsync(Consumers(dwh: 0, ops: 0), Patience);
        Assert.DoesNotContain(id.ToString(), (await sut.RunVerbAsync(hostA, "autoops", "list")).Output);
    }
}
