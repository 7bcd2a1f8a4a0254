// The public configuration surface lives in the MassTransit namespace and has the shape of MassTransit's own
// MassTransit.Azure.ServiceBus.Core package (UsingAzureServiceBus, Host(connectionString | Uri, h => ...),
// IServiceBusHostConfigurator's credential properties, the queue settings on the receive endpoint), so that switching
// to the official package is a change of package reference for the common calls. What differs is in the README.
namespace MassTransit;

/// <summary>Bus configuration for the Azure Service Bus transport.</summary>
public interface IServiceBusBusFactoryConfigurator : IBusFactoryConfigurator<IServiceBusReceiveEndpointConfigurator>
{
    /// <summary>
    /// Configures the namespace and credentials; called once. The extension methods <c>Host(connectionString, h => …)</c>
    /// and <c>Host(new Uri("sb://NAMESPACE/SCOPE"), h => …)</c> build the settings.
    /// </summary>
    void Host(ServiceBusHostSettings settings);

    /// <summary>
    /// Separates namespace and type name in topic names with <paramref name="separator"/> instead of '/': '_'
    /// (<c>Contracts_OrderPlaced</c>) or '.'. Azure Resource Manager (portal, <c>az</c>, Bicep, Terraform) cannot create
    /// entities whose names contain '/', so a deployment that provisions the topics itself needs another separator.
    /// </summary>
    /// <exception cref="ArgumentException">Any other separator. '~' (MassTransit's <c>SetNamespaceSeparatorToTilde</c>, not offered
    /// here) is refused: Service Bus's data-plane naming rules allow only letters, digits, '.', '-' and '_' in a segment, and
    /// the service refuses to create such an entity (MassTransit issue #1929).</exception>
    void SetNamespaceSeparatorTo(string separator);

    /// <summary><see cref="SetNamespaceSeparatorTo"/> with '_'.</summary>
    void SetNamespaceSeparatorToUnderscore();
}
