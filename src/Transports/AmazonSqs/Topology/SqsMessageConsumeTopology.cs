using MassTransit;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.AmazonSqs.Topology;

/// <summary>Consume topology of one message type: subscribing records its message URN on the endpoint's queue.</summary>
internal sealed class SqsMessageConsumeTopology<T> : TransportMessageConsumeTopology<T>
    where T : class
{
    private readonly SqsConsumeTopology _owner;

    public SqsMessageConsumeTopology(SqsConsumeTopology owner)
    {
        _owner = owner;
    }

    protected override void AddSubscription() => _owner.AddSubscription(MessageUrn.ForTypeString<T>());
}
