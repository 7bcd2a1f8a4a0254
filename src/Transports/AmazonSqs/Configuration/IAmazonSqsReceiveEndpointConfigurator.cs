// The public configuration surface lives in the MassTransit namespace and mirrors the shape of MassTransit's own
// MassTransit.AmazonSqs package (UsingAmazonSqs, Host(region, h => ...), AccessKey, SecretKey, Config), so that
// switching to the official package is a change of package reference for the common calls.
namespace MassTransit;

/// <summary>A receive endpoint (one SQS queue).</summary>
public interface IAmazonSqsReceiveEndpointConfigurator : IReceiveEndpointConfigurator
{
    /// <summary>Long-poll wait per ReceiveMessage call, 0–20 s (default 20).</summary>
    int WaitTimeSeconds { set; }

    /// <summary>
    /// Visibility timeout given to received messages, in seconds (default 30). While a message is still being
    /// consumed, the transport keeps extending it.
    /// </summary>
    int VisibilityTimeout { set; }

    /// <summary>Subscribes the queue to published messages of type <typeparamref name="T"/> without a consumer for it.</summary>
    void Subscribe<T>() where T : class;

    /// <summary>Subscribes the queue to published messages with the given message URN (urn:message:Namespace:Type).</summary>
    void Subscribe(string messageUrn);
}
