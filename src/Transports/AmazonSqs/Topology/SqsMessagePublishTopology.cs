using System.Diagnostics.CodeAnalysis;
using MassTransit;
using MassTransit.Topology;

namespace Persisters.Transports.AmazonSqs.Topology;

internal sealed class SqsMessagePublishTopology<T> : MessagePublishTopology<T>
    where T : class
{
    public SqsMessagePublishTopology(IPublishTopology publishTopology)
        : base(publishTopology)
    {
    }

    public override bool TryGetPublishAddress(Uri baseAddress, [NotNullWhen(true)] out Uri? publishAddress)
    {
        publishAddress = SqsAddress.ForPublish(baseAddress, MessageUrn.ForTypeString<T>());
        return true;
    }
}
