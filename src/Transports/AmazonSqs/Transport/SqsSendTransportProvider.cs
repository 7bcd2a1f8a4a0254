using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Configuration;
using Persisters.Transports.AmazonSqs.Topology;

namespace Persisters.Transports.AmazonSqs.Transport;

internal sealed class SqsSendTransportProvider : ISendTransportProvider
{
    private readonly SqsHostConfiguration _hostConfiguration;
    private readonly ReceiveEndpointContext _context;

    public SqsSendTransportProvider(SqsHostConfiguration hostConfiguration, ReceiveEndpointContext context)
    {
        _hostConfiguration = hostConfiguration;
        _context = context;
    }

    public Uri NormalizeAddress(Uri address) => SqsAddress.ForQueue(_hostConfiguration.HostAddress, SqsAddress.GetQueueName(address));

    public Task<ISendTransport> GetSendTransport(Uri address)
    {
        var queueName = SqsAddress.GetQueueName(address);
        TransportLogMessages.CreateSendTransport(address);
        var transportContext = new SqsSendTransportContext(_hostConfiguration, _context, queueName, null);
        return Task.FromResult<ISendTransport>(new SendTransport<SqsPipeContext>(transportContext));
    }
}
