using Amazon.SQS.Model;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>A received message whose visibility timeout the endpoint extends until it is settled; its lock token is the receipt handle.</summary>
internal sealed class SqsInFlightMessage : InFlightMessage
{
    public SqsInFlightMessage(string queueUrl, Message message, int visibilityTimeout)
        : base(message.ReceiptHandle)
    {
        QueueUrl = queueUrl;
        MessageId = message.MessageId;
        VisibleUntil = DateTime.UtcNow.AddSeconds(visibilityTimeout);
    }

    public string QueueUrl { get; }
    public string MessageId { get; }
    public string ReceiptHandle => LockToken;
    public DateTime VisibleUntil { get; set; }
}
