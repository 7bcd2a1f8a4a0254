using MassTransit;

namespace Persisters.Transports.AzureServiceBus;

/// <summary>
/// A message does not fit the entity's maximum message size (the size the service announces for the link: 256 KiB on the
/// Standard tier, the entity's MaxMessageSizeInKilobytes on Premium). Thrown before anything is sent.
/// </summary>
public sealed class ServiceBusMessageTooLargeException : TransportException
{
    public ServiceBusMessageTooLargeException(Uri address, string entityPath, long size, long limit)
        : base(address, $"The message is about {size} bytes (body, properties and AMQP framing), more than the limit of {limit} bytes of " +
            $"Service Bus entity '{entityPath}'; it was not sent. Send less per message, or store the payload elsewhere and send a reference.")
    {
        EntityPath = entityPath;
        Size = size;
        Limit = limit;
    }

    public string EntityPath { get; }

    /// <summary>Estimated encoded size in bytes (body plus application properties plus fixed overhead).</summary>
    public long Size { get; }

    /// <summary>The largest message the entity takes, in bytes.</summary>
    public long Limit { get; }
}
