namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>The kind of entity a <see cref="ServiceBusAddress"/> names.</summary>
internal enum ServiceBusEntityType
{
    Queue,
    Topic,
}
