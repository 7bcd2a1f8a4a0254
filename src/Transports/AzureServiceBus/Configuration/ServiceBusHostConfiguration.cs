using Azure.Messaging.ServiceBus;
using MassTransit;
using MassTransit.Transports;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.AzureServiceBus.Transport;
using Persisters.Transports.Shared.Configuration;
using Persisters.Transports.Shared.Topology;

namespace Persisters.Transports.AzureServiceBus.Configuration;

/// <summary>
/// The host configuration of the Azure Service Bus transport: namespace, scope and credentials, the <see cref="ServiceBusBroker"/>,
/// the receive endpoints and the entities they need.
/// </summary>
internal sealed class ServiceBusHostConfiguration
    : TransportHostConfiguration<ServiceBusReceiveEndpointConfiguration, IServiceBusReceiveEndpointConfigurator, ServiceBusTopologyConfiguration,
        ServiceBusHostSettings, ServiceBusBroker>
{
    private readonly Dictionary<string, ServiceBusReceiveEndpointConfiguration> _endpointsByName = new(StringComparer.OrdinalIgnoreCase);

    public ServiceBusHostConfiguration(ServiceBusBusConfiguration busConfiguration)
        : base(busConfiguration, x => x.Handle<ServiceBusException>(e => e.IsTransient), ServiceBusHostSettings.Scheme, "Azure Service Bus",
            "cfg.Host(connectionString) or cfg.Host(new Uri(\"sb://NAMESPACE\"), h => …)")
    {
    }

    /// <summary>The scope (path below the namespace) every receive endpoint queue is under; empty for none.</summary>
    public string Scope => Settings.Scope;

    /// <summary>
    /// The entities of every receive endpoint configured on this host so far, the latest configuration per queue name
    /// (endpoints connected later are included once connected). Complete once the endpoints are built.
    /// </summary>
    public IReadOnlyList<EndpointEntities> GetEndpointEntities()
    {
        lock (_endpointsByName)
            return _endpointsByName.Values.Select(e => e.GetEntities()).ToList();
    }

    protected override ServiceBusReceiveEndpointConfiguration CreateConfiguration(string queueName,
        TransportEndpointConfiguration<ServiceBusTopologyConfiguration> endpointConfiguration) =>
        new(this, queueName, endpointConfiguration);

    protected override void OnEndpointAdded(string queueName, ServiceBusReceiveEndpointConfiguration configuration)
    {
        lock (_endpointsByName)
            _endpointsByName[queueName] = configuration;
    }

    protected override ServiceBusBroker CreateBroker(ServiceBusHostSettings settings) => new(settings);

    protected override IHost CreateHost(TransportBusTopology busTopology) => new ServiceBusHost(this, busTopology);
}
