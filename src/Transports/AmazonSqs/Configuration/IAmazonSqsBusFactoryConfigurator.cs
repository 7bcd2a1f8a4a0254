// The public configuration surface lives in the MassTransit namespace and mirrors the shape of MassTransit's own
// MassTransit.AmazonSqs package (UsingAmazonSqs, Host(region, h => ...), AccessKey, SecretKey, Config), so that
// switching to the official package is a change of package reference for the common calls.
namespace MassTransit;

/// <summary>Bus configuration for the Amazon SQS transport.</summary>
public interface IAmazonSqsBusFactoryConfigurator : IBusFactoryConfigurator<IAmazonSqsReceiveEndpointConfigurator>
{
    /// <summary>Configures the region and credentials. Must be called once.</summary>
    void Host(string region, Action<IAmazonSqsHostConfigurator>? configure = null);

    /// <summary>Configures the host from prepared settings (used by tests and the host wiring).</summary>
    void Host(AmazonSqsHostSettings settings);
}
