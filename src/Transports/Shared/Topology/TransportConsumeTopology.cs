using MassTransit;

namespace Persisters.Transports.Shared.Topology;

/// <summary>
/// Consume topology of one receive endpoint on a transport whose queue subscribes to published message types: it creates
/// one <see cref="TransportMessageConsumeTopology{T}"/> per message type and announces it to MassTransit's observers.
/// </summary>
internal abstract class TransportConsumeTopology : ConsumeTopology
{
    /// <param name="maxQueueNameLength">The broker's longest queue name, in characters (bounds MassTransit's temporary queue names).</param>
    protected TransportConsumeTopology(int maxQueueNameLength)
        : base(maxQueueNameLength)
    {
    }

    /// <summary>The consume topology of <typeparamref name="T"/> on this endpoint, created on first use.</summary>
    public TransportMessageConsumeTopology<T> GetTransportMessageTopology<T>() where T : class =>
        (TransportMessageConsumeTopology<T>)GetMessageTopology<T>();

    protected sealed override IMessageConsumeTopologyConfigurator CreateMessageTopology<T>()
    {
        var topology = CreateTransportMessageTopology<T>();
        OnMessageTopologyCreated(topology);
        return topology;
    }

    /// <summary>A new consume topology of <typeparamref name="T"/>, owned by this endpoint's consume topology.</summary>
    protected abstract TransportMessageConsumeTopology<T> CreateTransportMessageTopology<T>() where T : class;
}
