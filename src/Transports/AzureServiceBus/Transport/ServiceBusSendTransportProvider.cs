using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Configuration;
using Persisters.Transports.AzureServiceBus.Topology;

namespace Persisters.Transports.AzureServiceBus.Transport;

internal sealed class ServiceBusSendTransportProvider : ISendTransportProvider
{
    private readonly ServiceBusHostConfiguration _hostConfiguration;
    private readonly ReceiveEndpointContext _context;

    public ServiceBusSendTransportProvider(ServiceBusHostConfiguration hostConfiguration, ReceiveEndpointContext context)
    {
        _hostConfiguration = hostConfiguration;
        _context = context;
    }

    public Uri NormalizeAddress(Uri address) =>
        ServiceBusAddress.Parse(_hostConfiguration.HostAddress, _hostConfiguration.Scope, address).ToUri(_hostConfiguration.HostAddress);

    public Task<ISendTransport> GetSendTransport(Uri address)
    {
        var target = ServiceBusAddress.Parse(_hostConfiguration.HostAddress, _hostConfiguration.Scope, address);
        TransportLogMessages.CreateSendTransport(address);
        var autoDelete = ReadAutoDelete(address);
        var transportContext = new ServiceBusSendTransportContext(_hostConfiguration, _context, target, null, autoDelete);
        return Task.FromResult<ISendTransport>(new SendTransport<ServiceBusPipeContext>(transportContext));
    }

    /// <summary>A temporary endpoint's address carries <c>autodelete=SECONDS</c>, so a send that has to create its queue makes it temporary too.</summary>
    private static TimeSpan? ReadAutoDelete(Uri address)
    {
        foreach (var part in address.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split('=', 2);
            if (kv.Length == 2 && kv[0].Equals("autodelete", StringComparison.OrdinalIgnoreCase) && int.TryParse(kv[1], out var seconds) && seconds >= 300)
                return TimeSpan.FromSeconds(seconds);
        }
        return null;
    }
}
