using MassTransit;

namespace Persisters.Transports.Shared.Topology;

/// <summary>
/// Consume topology of one receive endpoint on a transport whose queue subscribes to published message types: one
/// <see cref="TransportMessageConsumeTopology{T}"/> per message type, and the transport's way of recording a subscription.
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

    /// <summary>Records that the endpoint's queue subscribes to published <typeparamref name="T"/> (called only for types that can be published).</summary>
    internal abstract void Subscribe<T>() where T : class;

    protected sealed override IMessageConsumeTopologyConfigurator CreateMessageTopology<T>()
    {
        var topology = new TransportMessageConsumeTopology<T>(this);
        OnMessageTopologyCreated(topology);
        return topology;
    }
}
