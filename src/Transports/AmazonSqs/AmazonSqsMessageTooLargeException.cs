using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AmazonSqs;

/// <summary>A message (body plus message attributes) is larger than SQS accepts (<see cref="MessageTooLargeException.Limit"/>, 262,144 bytes).</summary>
public sealed class AmazonSqsMessageTooLargeException(Uri address, string queueName, int size, int limit)
    : MessageTooLargeException(address, $"The message is {size} bytes (body plus message attributes), more than the Amazon SQS limit of {limit} bytes; " +
        $"it was not sent to queue '{queueName}'. Send less per message, or store the payload elsewhere and send a reference.", size, limit)
{
    /// <summary>The queue's physical name, or for a publish "(subscribers of URN)".</summary>
    public string QueueName { get; } = queueName;
}
