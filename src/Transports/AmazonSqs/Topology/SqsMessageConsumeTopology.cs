using MassTransit;

namespace Persisters.Transports.AmazonSqs.Topology;

internal sealed class SqsMessageConsumeTopology<T> : MessageConsumeTopology<T>
    where T : class
{
    private readonly SqsConsumeTopology _owner;

    public SqsMessageConsumeTopology(SqsConsumeTopology owner)
    {
        _owner = owner;
    }

    /// <summary>Subscribes the endpoint's queue to published <typeparamref name="T"/>, if it is a message type that can be published.</summary>
    public void Subscribe()
    {
        if (IsBindableMessageType)
            _owner.AddSubscription(MessageUrn.ForTypeString<T>());
    }
}
