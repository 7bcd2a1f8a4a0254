using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Configuration;

namespace MassTransit;

public static class ServiceBusBusInstanceExtensions
{
    /// <summary>
    /// The entities the receive endpoints configured on this bus need, each once, in the order to create them: topics,
    /// queues (each endpoint's queue, <c>_error</c> and <c>_skipped</c>), subscriptions. This is what to provision when the
    /// transport may not create entities (<c>CreateEntities = false</c>). Temporary endpoints are left out: their names
    /// are made up at start and they cannot be provisioned. Endpoints connected later
    /// (<c>IReceiveEndpointConnector.ConnectReceiveEndpoint</c>) are not known here.
    /// </summary>
    /// <exception cref="ArgumentException">The bus does not use this transport.</exception>
    public static IReadOnlyList<ServiceBusEntityDescription> GetServiceBusEntities(this IBusInstance busInstance)
    {
        var host = busInstance.HostConfiguration as ServiceBusHostConfiguration
            ?? throw new ArgumentException($"The bus {busInstance.Name} does not use the Azure Service Bus transport.", nameof(busInstance));
        var all = host.GetEndpointEntities().Where(e => !e.IsTemporary).SelectMany(e => e.Describe()).ToList();
        var ordered = all.Where(e => e.Kind == ServiceBusEntityDescription.TopicKind)
            .Concat(all.Where(e => e.Kind == ServiceBusEntityDescription.QueueKind))
            .Concat(all.Where(e => e.Kind == ServiceBusEntityDescription.SubscriptionKind));
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return ordered.Where(e => seen.Add(e.Kind + " " + e.Path)).ToList();
    }
}
