using Amazon.SQS.Model;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>A received message whose visibility timeout the endpoint extends until it is settled.</summary>
internal sealed class InFlightMessage
{
    public InFlightMessage(string queueUrl, Message message, int visibilityTimeout)
    {
        QueueUrl = queueUrl;
        MessageId = message.MessageId;
        ReceiptHandle = message.ReceiptHandle;
        VisibleUntil = DateTime.UtcNow.AddSeconds(visibilityTimeout);
    }

    public string QueueUrl { get; }
    public string MessageId { get; }
    public string ReceiptHandle { get; }
    public DateTime VisibleUntil { get; set; }
    public bool LockLost { get; set; }
    public bool IsSettled { get; private set; }

    public void Settle() => IsSettled = true;
}
