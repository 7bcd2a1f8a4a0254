using MassTransit;
using MassTransit.Transports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Persisters.Consumers;
using Persisters.Consumers.Demand;
using Persisters.Tests.Support;

namespace Persisters.Tests.Demand;

/// <summary>
/// The stalled-endpoint watch: an endpoint the host believes connected, while the broker lists no consumer on its queue
/// and messages wait, is reconnected after two checks in a row (the chaos suite's broker restart left such endpoints).
/// </summary>
public sealed class When_a_connected_endpoint_has_no_consumer_on_the_broker
{
    /// <summary>A fake broker view: the in-memory deployer, with queue states the test sets (the in-memory transport has none).</summary>
    private sealed class FakeBrokerView(IBusInstance bus) : IReceiveEndpointTopologyDeployer
    {
        private readonly InMemoryReceiveEndpointTopologyDeployer _inMemory = new(bus);
        public Dictionary<string, QueueState> States { get; } = [];

        public Task DeployAsync(string queueName, Action<IReceiveEndpointConfigurator> configure, CancellationToken cancellationToken) =>
            _inMemory.DeployAsync(queueName, configure, cancellationToken);

        public Task<string> ApplyRetentionAsync(IReadOnlyCollection<string> queueNames, TimeSpan retention, CancellationToken cancellationToken) =>
            _inMemory.ApplyRetentionAsync(queueNames, retention, cancellationToken);

        public Task<QueueState?> GetQueueStateAsync(string queueName, CancellationToken cancellationToken) =>
            Task.FromResult<QueueState?>(States.GetValueOrDefault(queueName, new QueueState(0, 1)));
    }

    [Fact]
    public async Task It_is_reconnected_after_two_checks_and_a_consumed_or_empty_queue_is_left_alone()
    {
        await using var h = await DemandHarness.StartAsync(s =>
            s.Replace(ServiceDescriptor.Singleton<IReceiveEndpointTopologyDeployer>(sp => new FakeBrokerView(sp.GetRequiredService<IBusInstance>()))));
        var broker = (FakeBrokerView)h.Provider.GetRequiredService<IReceiveEndpointTopologyDeployer>();
        var now = h.Clock.UnixNow;
        var experiment = Events.Experiment(now);
        await h.SeedAsync(experiment);
        await h.PublishDemandChangedAsync(experiment);
        await h.WaitForConnectedAsync(DemandHarness.Dwh);

        broker.States[PersisterQueues.EvaluationDwh] = new QueueState(Messages: 40, Consumers: 0); // stalled
        broker.States[PersisterQueues.GoalDwh] = new QueueState(Messages: 0, Consumers: 0);        // idle, nothing waits
        Assert.Empty(await h.Controller.RestartStalledEndpointsAsync());
        Assert.Equal([PersisterQueues.EvaluationDwh], await h.Controller.RestartStalledEndpointsAsync());
        await h.WaitForConnectedAsync(DemandHarness.Dwh);

        // Reconnected, it consumes: an event published now is stored.
        await h.Harness.Bus.Publish(Events.Evaluation(now));
        Assert.Equal(1, await h.WaitForEvaluationRowsAsync(1));

        // A check in between that sees a consumer starts the count again.
        Assert.Empty(await h.Controller.RestartStalledEndpointsAsync());
        broker.States[PersisterQueues.EvaluationDwh] = new QueueState(Messages: 40, Consumers: 1);
        Assert.Empty(await h.Controller.RestartStalledEndpointsAsync());
        broker.States[PersisterQueues.EvaluationDwh] = new QueueState(Messages: 40, Consumers: 0);
        Assert.Empty(await h.Controller.RestartStalledEndpointsAsync());
    }
}
