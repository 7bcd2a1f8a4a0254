using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Configuration;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>Sends to one queue or topic by its address; publishes to the message type's topic (<paramref name="publishTopology"/>).</summary>
internal sealed class ServiceBusSendTransportProvider(ServiceBusHostConfiguration hostConfiguration, ReceiveEndpointContext context,
    ServiceBusPublishTopology publishTopology)
    : TransportSendTransportProvider<ServiceBusHostConfiguration>(hostConfiguration, context)
{
    public override Uri NormalizeAddress(Uri address) =>
        ServiceBusAddress.Parse(HostConfiguration.Scope, address).ToUri(HostConfiguration.HostAddress);

    protected override SendTransportContext<TransportPipeContext> CreateSendTransportContext(Uri address) =>
        new ServiceBusSendTransportContext(HostConfiguration, Context, ServiceBusAddress.Parse(HostConfiguration.Scope, address),
            null, ReadAutoDelete(address));

    protected override SendTransportContext<TransportPipeContext> CreatePublishTransportContext<T>()
    {
        var entities = publishTopology.GetPublishEntities<T>();
        var target = new ServiceBusAddress(ServiceBusEntityType.Topic, entities.TopicPath);
        return new ServiceBusSendTransportContext(HostConfiguration, Context, target, entities, null);
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
