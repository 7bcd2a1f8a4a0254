using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Configuration;

namespace Persisters.Transports.AmazonSqs.Transport;

internal sealed class SqsPublishTransportProvider : IPublishTransportProvider
{
    private readonly SqsHostConfiguration _hostConfiguration;
    private readonly ReceiveEndpointContext _context;

    public SqsPublishTransportProvider(SqsHostConfiguration hostConfiguration, ReceiveEndpointContext context)
    {
        _hostConfiguration = hostConfiguration;
        _context = context;
    }

    public Task<ISendTransport> GetPublishTransport<T>(Uri? publishAddress)
        where T : class
    {
        // Every message type the published message can be consumed as (itself, its interfaces, base types).
        var urns = MessageTypeCache<T>.MessageTypeNames;
        var transportContext = new SqsSendTransportContext(_hostConfiguration, _context, MessageUrn.ForTypeString<T>(), urns);
        return Task.FromResult<ISendTransport>(new SendTransport<SqsPipeContext>(transportContext));
    }
}
