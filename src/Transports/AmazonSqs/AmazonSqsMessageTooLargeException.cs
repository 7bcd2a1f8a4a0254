using MassTransit;

namespace Persisters.Transports.AmazonSqs;

/// <summary>A message (body plus message attributes) is larger than SQS accepts.</summary>
public sealed class AmazonSqsMessageTooLargeException : TransportException
{
    public AmazonSqsMessageTooLargeException(Uri address, string queueName, int size, int limit)
        : base(address, $"The message is {size} bytes (body plus message attributes), more than the Amazon SQS limit of {limit} bytes; " +
            $"it was not sent to queue '{queueName}'. Send less per message, or store the payload elsewhere and send a reference.")
    {
        QueueName = queueName;
        Size = size;
        Limit = limit;
    }

    public string QueueName { get; }
    public int Size { get; }
    public int Limit { get; }
}
