using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AzureServiceBus;

/// <summary>
/// A message does not fit the entity's maximum message size (the size the service announces for the link: 256 KiB on the
/// Standard tier, the entity's MaxMessageSizeInKilobytes on Premium). Thrown before anything is sent.
/// <see cref="MessageTooLargeException.Size"/> is an estimate in bytes (body plus application properties plus fixed
/// overhead); <see cref="MessageTooLargeException.Limit"/> is the largest message the entity takes, in bytes.
/// </summary>
public sealed class ServiceBusMessageTooLargeException(Uri address, string entityPath, long size, long limit)
    : MessageTooLargeException(address, $"The message is about {size} bytes (body, properties and AMQP framing), more than the limit of {limit} bytes of " +
        $"Service Bus entity '{entityPath}'; it was not sent. Send less per message, or store the payload elsewhere and send a reference.", size, limit)
{
    public string EntityPath { get; } = entityPath;
}
