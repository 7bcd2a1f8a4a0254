using MassTransit;
using MassTransit.Transports;
using Persisters.Consumers.Demand;

namespace Persisters.Host.Hosting;

/// <summary>
/// <see cref="IReceiveEndpointTopologyDeployer"/> for the Amazon SQS transport: creates the queue, its <c>_error</c> queue and
/// subscription tags without a receive request (<see cref="AmazonSqsTopologyDeployment"/>); retention is each queue's
/// <c>MessageRetentionPeriod</c>, set on the existing queue with SetQueueAttributes (SQS drops older messages whoever sent
/// them; 60 s to 14 days).
/// </summary>
public sealed class AmazonSqsReceiveEndpointTopologyDeployer(IBusInstance bus) : IReceiveEndpointTopologyDeployer
{
    public Task DeployAsync(string queueName, Action<IReceiveEndpointConfigurator> configure, CancellationToken cancellationToken) =>
        bus.DeployReceiveEndpointTopology(queueName, configure, cancellationToken);

    /// <summary>SQS has no consumers to count (receivers poll).</summary>
    public Task<QueueState?> GetQueueStateAsync(string queueName, CancellationToken cancellationToken) => Task.FromResult<QueueState?>(null);

    public async Task<string> ApplyRetentionAsync(IReadOnlyCollection<string> queueNames, TimeSpan retention, CancellationToken cancellationToken)
    {
        var applied = new List<string>();
        foreach (var queue in queueNames)
        {
            var period = await bus.SetMessageRetentionPeriod(queue, retention, cancellationToken);
            applied.Add($"{bus.PhysicalQueueName(queue)}={(long)period.TotalSeconds}s");
        }
        return $"MessageRetentionPeriod {string.Join(", ", applied)}";
    }
}
