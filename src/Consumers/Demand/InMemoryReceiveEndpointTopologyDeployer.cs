using MassTransit;
using MassTransit.InMemoryTransport;
using MassTransit.InMemoryTransport.Configuration;
using MassTransit.Transports;

namespace Persisters.Consumers.Demand;

/// <summary>
/// <see cref="IReceiveEndpointTopologyDeployer"/> for MassTransit's in-memory transport: builds the endpoint's configuration
/// from the bus's own host and applies its consume topology to the message fabric (exchanges, queue, bindings), which is
/// what the in-memory receive transport does before it connects its receiver; no receiver is connected here.
/// </summary>
/// <remarks>
/// Retention: the in-memory transport has no broker and no message expiry; waiting messages live in this process's memory
/// and end with it, so the process lifetime is their bound. <see cref="ApplyRetentionAsync"/> says so and changes nothing.
/// </remarks>
public sealed class InMemoryReceiveEndpointTopologyDeployer(IBusInstance bus) : IReceiveEndpointTopologyDeployer
{
    public Task DeployAsync(string queueName, Action<IReceiveEndpointConfigurator> configure, CancellationToken cancellationToken)
    {
        if (bus.HostConfiguration is not IInMemoryHostConfiguration host)
        {
            throw new NotSupportedException(
                $"No receive endpoint topology deployer is registered for the transport of this bus ({bus.HostConfiguration.GetType().Name}); " +
                "register an IReceiveEndpointTopologyDeployer for it.");
        }
        var configuration = host.CreateReceiveEndpointConfiguration(queueName, e => configure(e));
        if (configuration.CreateReceiveEndpointContext() is not InMemoryReceiveEndpointContext context)
            throw new NotSupportedException("The in-memory receive endpoint context has an unexpected type.");
        context.ConfigureTopology();
        return Task.CompletedTask;
    }

    public Task<QueueState?> GetQueueStateAsync(string queueName, CancellationToken cancellationToken) => Task.FromResult<QueueState?>(null);

    public Task<string> ApplyRetentionAsync(IReadOnlyCollection<string> queueNames, TimeSpan retention, CancellationToken cancellationToken) =>
        Task.FromResult("none on the in-memory transport: waiting messages live in this process and end with it");
}
