using MassTransit;

namespace Persisters.Transports.AzureServiceBus;

/// <summary>
/// Entities that must exist are missing and the transport may not create them (<c>CreateEntities = false</c>). Names every
/// missing entity with the settings it needs.
/// </summary>
public sealed class ServiceBusEntitiesMissingException : TransportException
{
    public ServiceBusEntitiesMissingException(Uri address, IReadOnlyList<ServiceBusEntityDescription> missing)
        : base(address, $"{missing.Count} Service Bus {(missing.Count == 1 ? "entity does" : "entities do")} not exist and the transport may not create them " +
            $"(CreateEntities is false): {string.Join("; ", missing)}. Provision them with these settings, or allow the transport to create them.")
    {
        Missing = missing;
    }

    public IReadOnlyList<ServiceBusEntityDescription> Missing { get; }
}
