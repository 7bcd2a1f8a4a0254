using System.ComponentModel;

namespace Persisters.Host.Configuration;

[Description("a transport")]
public enum TransportKind
{
    InMemory,
    RabbitMq,
    AmazonSqs,
    AzureServiceBus,
}
