using MassTransit;

namespace Persisters.Transports.Shared.Topology;

/// <summary>
/// The consume topology of one message type on one receive endpoint, for a transport whose endpoint queue subscribes to
/// published messages (an SQS queue tag, a Service Bus topic subscription): MassTransit's <c>Subscribe()</c> of
/// <c>IAmazonSqsMessageConsumeTopologyConfigurator</c> and <c>IServiceBusMessageConsumeTopologyConfigurator</c>.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
internal abstract class TransportMessageConsumeTopology<T> : MessageConsumeTopology<T>
    where T : class
{
    /// <summary>
    /// Subscribes the endpoint's queue to published <typeparamref name="T"/> if it is a type that can be published
    /// (MassTransit's <c>GlobalTopology.IsConsumableMessageType</c>); otherwise does nothing. Idempotent.
    /// </summary>
    public void Subscribe()
    {
        if (IsBindableMessageType)
            AddSubscription();
    }

    /// <summary>Records the subscription of the endpoint's queue to <typeparamref name="T"/> in the transport's own terms.</summary>
    protected abstract void AddSubscription();
}
