using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Configuration;
using Persisters.Transports.AmazonSqs.Topology;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>Sends to one queue by its address; publishes to every queue subscribed to one of the message's types.</summary>
internal sealed class SqsSendTransportProvider(SqsHostConfiguration hostConfiguration, ReceiveEndpointContext context)
    : TransportSendTransportProvider<SqsHostConfiguration>(hostConfiguration, context)
{
    public override Uri NormalizeAddress(Uri address) => SqsAddress.ForQueue(HostConfiguration.HostAddress, SqsAddress.GetQueueName(address));

    protected override SendTransportContext<TransportPipeContext> CreateSendTransportContext(Uri address) =>
        new SqsSendTransportContext(HostConfiguration, Context, SqsAddress.GetQueueName(address), null);

    // Every message type the published message can be consumed as (itself, its interfaces, base types).
    protected override SendTransportContext<TransportPipeContext> CreatePublishTransportContext<T>() =>
        new SqsSendTransportContext(HostConfiguration, Context, MessageUrn.ForTypeString<T>(), MessageTypeCache<T>.MessageTypeNames);
}
