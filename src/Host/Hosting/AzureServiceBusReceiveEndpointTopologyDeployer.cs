using System.Xml;
using MassTransit;
using MassTransit.Transports;
using Persisters.Consumers.Demand;

namespace Persisters.Host.Hosting;

/// <summary>
/// <see cref="IReceiveEndpointTopologyDeployer"/> for the Azure Service Bus transport (src/Transports/AzureServiceBus).
/// Topology: the endpoint's queue, its <c>_error</c> and <c>_skipped</c> queues, the topics of its message types and the
/// subscriptions forwarding them to the queue, created through the administration client, or with <c>CreateEntities=false</c>
/// checked over the data plane (<see cref="ServiceBusTopologyDeployment.DeployServiceBusReceiveEndpointTopology"/>); no receiver link is
/// opened on the queue and no message is received or locked.
/// </summary>
/// <remarks>
/// <para>
/// Retention is each persister queue's <c>DefaultMessageTimeToLive</c>, with <c>DeadLetteringOnMessageExpiration</c> off so that
/// Service Bus drops an expired message rather than keeping it in the dead-letter queue. A queue the host creates gets it with
/// its other settings (TransportRegistration configures the persister endpoints so); an existing one is updated with the
/// administration client (never re-created, so its messages stay). Service Bus fixes a message's expiry when it is enqueued:
/// messages that waited before the update keep theirs.
/// </para>
/// <para>
/// With <c>CreateEntities=false</c> the host changes no entity: the deployment provisions the bound (<c>persisters
/// servicebus-entities</c> lists it with the other settings) and the host reads each queue's settings and fails the
/// application of the bound, naming the queue and the setting, when the queue keeps messages longer or dead-letters expired ones.
/// Credentials without the Manage right (Data Sender and Data Receiver roles) cannot read entity settings; then the bound is
/// reported as provisioned but not checked.
/// </para>
/// </remarks>
public sealed class AzureServiceBusReceiveEndpointTopologyDeployer(IBusInstance bus) : IReceiveEndpointTopologyDeployer
{
    public Task DeployAsync(string queueName, Action<IReceiveEndpointConfigurator> configure, CancellationToken cancellationToken) =>
        bus.DeployServiceBusReceiveEndpointTopology(queueName, configure, cancellationToken);

    /// <summary>
    /// Always null: Service Bus reports a queue's message counts (runtime properties) but not its receivers, so there is no
    /// consumer count to compare with. A Service Bus endpoint that cannot receive reports itself faulted (readiness) and keeps
    /// retrying on its own link; it needs no outside watch.
    /// </summary>
    public Task<QueueState?> GetQueueStateAsync(string queueName, CancellationToken cancellationToken) => Task.FromResult<QueueState?>(null);

    public async Task<string> ApplyRetentionAsync(IReadOnlyCollection<string> queueNames, TimeSpan retention, CancellationToken cancellationToken)
    {
        var results = new List<ServiceBusQueueRetention>();
        foreach (var queue in queueNames)
            results.Add(await bus.SetServiceBusMessageRetention(queue, retention, cancellationToken));

        if (results.Where(r => r.Outcome == ServiceBusRetentionOutcome.Missing).Select(r => r.QueuePath).ToList() is { Count: > 0 } missing)
        {
            throw new InvalidOperationException(
                $"Service Bus queue(s) {string.Join(", ", missing)} do not exist and the transport may not create them (CreateEntities is false): provision them " +
                "as `persisters servicebus-entities` lists them (DefaultMessageTimeToLive included).");
        }

        string Paths(ServiceBusRetentionOutcome outcome) => string.Join(", ", results.Where(r => r.Outcome == outcome).Select(r => r.QueuePath));
        var parts = new List<string>();
        void Add(ServiceBusRetentionOutcome outcome, string what)
        {
            if (results.Any(r => r.Outcome == outcome)) parts.Add($"{what} {Paths(outcome)}");
        }
        Add(ServiceBusRetentionOutcome.Set, "set on");
        Add(ServiceBusRetentionOutcome.AlreadySet, "already on");
        Add(ServiceBusRetentionOutcome.NotCreatedYet, "given when created to");
        Add(ServiceBusRetentionOutcome.Checked, "provisioned (checked) on");
        Add(ServiceBusRetentionOutcome.NotChecked, "expected as provisioned, not checked (these credentials may not read entity settings) on");
        var timeToLive = retention < ServiceBusTopologyDeployment.MinRetention ? ServiceBusTopologyDeployment.MinRetention : retention;
        return $"DefaultMessageTimeToLive {XmlConvert.ToString(timeToLive)} with DeadLetteringOnMessageExpiration=false (expired messages are dropped): " +
               string.Join("; ", parts);
    }
}
