using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Consumers;
using Persisters.Contracts;
using Persisters.Tests.Support;

namespace Persisters.Tests.Demand;

public sealed class When_persister_demand_changes
{
    private static AutoOpsRuleDefinition Rule(AutoOpsRuleStatus status = AutoOpsRuleStatus.Running) => new()
    {
        RuleId = Guid.NewGuid(),
        EnvironmentId = Events.Env,
        FeatureId = "flag-1",
        FeatureVersion = 1,
        Status = status,
        Clauses = [new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "B", GoalId = "error", MinCount = 10, Threshold = 0.5 }],
    };

    /// <summary>Stopped longer ago than the late-event tail (2 days): no longer live.</summary>
    private static ExperimentDefinition Finished(ExperimentDefinition running, long now) =>
        running with { Status = ExperimentStatus.Stopped, StopAt = now - (long)TimeSpan.FromDays(3).TotalSeconds };

    [Fact]
    public async Task No_persister_endpoint_is_connected_and_no_event_is_persisted_while_nothing_needs_them()
    {
        await using var h = await DemandHarness.StartAsync();

        Assert.Empty(h.Controller.ConnectedEndpoints);
        await h.Harness.Bus.Publish(Events.Evaluation(h.Clock.UnixNow));
        await h.SettleAsync();

        Assert.Empty(h.Controller.ConnectedEndpoints);
        Assert.False(await h.Harness.Consumed.Any<EvaluationEvent>());
        Assert.Equal(0, await h.EvaluationRowCountAsync());
    }

    [Fact]
    public async Task Declaring_the_persister_queues_again_and_again_takes_nothing_out_of_them()
    {
        await using var h = await DemandHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var waiting = Enumerable.Range(0, 20).Select(i => Events.Evaluation(now) with { Id = $"waiting-{i}" }).ToList();
        foreach (var e in waiting) await h.Harness.Bus.Publish(e);
        await h.SettleAsync();

        // What every host start does: the topology of every persister queue, declared by the transport's deployer.
        var deployer = h.Provider.GetRequiredService<global::Persisters.Consumers.Demand.IReceiveEndpointTopologyDeployer>();
        var context = h.Provider.GetRequiredService<IBusRegistrationContext>();
        for (var start = 0; start < 3; start++)
        {
            await deployer.DeployAsync(PersisterQueues.EvaluationDwh, e => e.ConfigureConsumer<global::Persisters.Consumers.Persisters.EvaluationEventsDwhPersister>(context),
                CancellationToken.None);
        }
        await h.SettleAsync();
        Assert.False(await h.Harness.Consumed.Any<EvaluationEvent>());

        var experiment = Events.Experiment(now);
        await h.SeedAsync(experiment);
        await h.PublishDemandChangedAsync(experiment);
        await h.WaitForConnectedAsync(DemandHarness.Dwh);
        Assert.Equal(waiting.Count, await h.WaitForEvaluationRowsAsync(waiting.Count));
    }

    [Fact]
    public async Task A_running_experiment_connects_the_dwh_endpoints_and_the_event_queued_meanwhile_is_persisted()
    {
        await using var h = await DemandHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.Harness.Bus.Publish(Events.Evaluation(now));
        await h.SettleAsync();
        Assert.Equal(0, await h.EvaluationRowCountAsync());

        var experiment = Events.Experiment(now);
        await h.SeedAsync(experiment);
        await h.PublishDemandChangedAsync(experiment);

        await h.WaitForConnectedAsync(DemandHarness.Dwh);
        Assert.Equal(1, await h.WaitForEvaluationRowsAsync(1));
        Assert.False(h.Controller.IsConnected(PersisterQueues.EvaluationOps));
        Assert.False(h.Controller.IsConnected(PersisterQueues.GoalOps));
    }

    [Fact]
    public async Task An_active_rule_connects_the_ops_endpoints_only()
    {
        await using var h = await DemandHarness.StartAsync();
        await h.SeedAsync(Rule());
        await h.SeedAsync(Rule(AutoOpsRuleStatus.Finished));

        await h.Harness.Bus.Publish(new PersisterDemandChanged { ExperimentId = Guid.NewGuid(), EnvironmentId = Events.Env, Timestamp = h.Clock.UnixNow });

        await h.WaitForConnectedAsync(DemandHarness.Ops);
        Assert.False(h.Controller.IsConnected(PersisterQueues.EvaluationDwh));
        Assert.False(h.Controller.IsConnected(PersisterQueues.GoalDwh));
    }

    [Fact]
    public async Task A_finished_experiment_stops_the_dwh_endpoints_and_events_sent_while_stopped_are_kept_until_they_return()
    {
        await using var h = await DemandHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var experiment = Events.Experiment(now);
        await h.SeedAsync(experiment);
        await h.PublishDemandChangedAsync(experiment);
        await h.WaitForConnectedAsync(DemandHarness.Dwh);

        var finished = Finished(experiment, now);
        await h.SeedAsync(finished);
        await h.PublishDemandChangedAsync(finished);
        await h.WaitForConnectedAsync();

        await h.Harness.Bus.Publish(Events.Evaluation(now));
        await h.SettleAsync();
        Assert.Equal(0, await h.EvaluationRowCountAsync());

        await h.SeedAsync(experiment);
        await h.PublishDemandChangedAsync(experiment);
        await h.WaitForConnectedAsync(DemandHarness.Dwh);
        Assert.Equal(1, await h.WaitForEvaluationRowsAsync(1));
    }

    [Fact]
    public async Task The_reconcile_alone_connects_what_is_needed_and_stops_what_is_not()
    {
        await using var h = await DemandHarness.StartAsync();
        var now = h.Clock.UnixNow;
        var experiment = Events.Experiment(now);
        var rule = Rule();
        await h.SeedAsync(experiment);
        await h.SeedAsync(rule);

        await h.Controller.ReconcileAsync();
        Assert.Equal(PersisterQueues.All.OrderBy(n => n), h.Controller.ConnectedEndpoints.OrderBy(n => n));

        await h.SeedAsync(Finished(experiment, now));
        await h.Controller.ReconcileAsync();
        Assert.Equal(DemandHarness.Ops.OrderBy(n => n), h.Controller.ConnectedEndpoints.OrderBy(n => n));

        await h.SeedAsync(rule with { Status = AutoOpsRuleStatus.Finished });
        await h.Controller.ReconcileAsync();
        Assert.Empty(h.Controller.ConnectedEndpoints);
    }

    [Fact]
    public async Task A_stopped_experiment_keeps_the_dwh_endpoints_through_its_late_event_tail()
    {
        await using var h = await DemandHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now, status: ExperimentStatus.Stopped, startAt: now - 7200, stopAt: now - 600));

        await h.Controller.ReconcileAsync();

        Assert.Equal(DemandHarness.Dwh.OrderBy(n => n), h.Controller.ConnectedEndpoints.OrderBy(n => n));
    }

    [Fact]
    public async Task Repeated_and_concurrent_reconciles_connect_each_endpoint_once()
    {
        await using var h = await DemandHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        await h.SeedAsync(Rule());

        await h.Controller.ReconcileAsync();
        await h.Controller.ReconcileAsync();
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => h.Controller.ReconcileAsync()));

        Assert.Equal(PersisterQueues.All.OrderBy(n => n), h.Controller.ConnectedEndpoints.OrderBy(n => n));
        await h.Harness.Bus.Publish(Events.Evaluation(now));
        Assert.Equal(1, await h.WaitForEvaluationRowsAsync(1));
    }
}
