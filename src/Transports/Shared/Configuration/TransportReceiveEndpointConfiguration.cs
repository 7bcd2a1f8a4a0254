using MassTransit.Configuration;
using MassTransit.Transports;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.Shared.Configuration;

/// <summary>
/// A receive endpoint of a Persisters transport: one queue, its consume topology, and the way it is built into a running
/// <see cref="ReceiveEndpoint"/> (context from the transport, transport from the context).
/// </summary>
/// <typeparam name="TTopology">The transport's topology configuration.</typeparam>
/// <typeparam name="TContext">The transport's receive endpoint context.</typeparam>
internal abstract class TransportReceiveEndpointConfiguration<TTopology, TContext> : ReceiveEndpointConfiguration, ITransportReceiveEndpointConfiguration
    where TTopology : ITransportTopologyConfiguration<TTopology>
    where TContext : ReceiveEndpointContext
{
    private readonly IHostConfiguration _hostConfiguration;
    private readonly TransportEndpointConfiguration<TTopology> _endpointConfiguration;

    /// <param name="queueName">The endpoint's (logical) queue name, as MassTransit's endpoint name formatter gives it.</param>
    protected TransportReceiveEndpointConfiguration(IHostConfiguration hostConfiguration, string queueName,
        TransportEndpointConfiguration<TTopology> endpointConfiguration)
        : base(hostConfiguration, endpointConfiguration)
    {
        _hostConfiguration = hostConfiguration;
        _endpointConfiguration = endpointConfiguration;
        QueueName = queueName;
    }

    /// <summary>The endpoint's (logical) queue name.</summary>
    public string QueueName { get; }

    /// <summary>A temporary endpoint (the bus's own, or a definition's <c>IsTemporary</c>): its queue goes away with it.</summary>
    public bool IsTemporary { get; set; }

    /// <summary>The endpoint's topology, as the transport's own type.</summary>
    public TTopology TransportTopology => _endpointConfiguration.Topology;

    public override Uri HostAddress => _hostConfiguration.HostAddress;

    public override ReceiveEndpointContext CreateReceiveEndpointContext() => CreateTransportReceiveEndpointContext();

    /// <summary>Builds the endpoint (context, receive transport, <see cref="ReceiveEndpoint"/>) and adds it to <paramref name="host"/>.</summary>
    public void Build(IHost host)
    {
        var context = CreateTransportReceiveEndpointContext();
        var receiveEndpoint = new ReceiveEndpoint(CreateReceiveTransport(context), context);
        host.AddReceiveEndpoint(QueueName, receiveEndpoint);
        ReceiveEndpoint = receiveEndpoint;
    }

    /// <summary>The transport's receive endpoint context for this configuration (called after the specifications are applied).</summary>
    protected abstract TContext CreateContext();

    /// <summary>The transport's receive transport over <paramref name="context"/>.</summary>
    protected abstract IReceiveTransport CreateReceiveTransport(TContext context);

    private TContext CreateTransportReceiveEndpointContext()
    {
        // Connecting the consume pipes subscribes the endpoint's queue to the message types it consumes.
        ApplySpecifications(new TransportReceiveEndpointBuilder(this, TransportTopology.Consume));
        var context = CreateContext();
        context.GetOrAddPayload(() => _hostConfiguration.Topology);
        return context;
    }
}
