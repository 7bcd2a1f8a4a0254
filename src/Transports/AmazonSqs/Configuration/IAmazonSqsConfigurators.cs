using Amazon.Runtime;
using Amazon.SQS;

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

/// <summary>Region, credentials and SQS client settings of the transport.</summary>
public interface IAmazonSqsHostConfigurator
{
    /// <summary>Access key id. Together with <see cref="SecretKey"/>; without both, the default AWS credential chain is used.</summary>
    void AccessKey(string accessKey);

    /// <summary>Secret access key. Together with <see cref="AccessKey"/>.</summary>
    void SecretKey(string secretKey);

    /// <summary>Explicit credentials, an alternative to access key and secret key.</summary>
    void Credentials(AWSCredentials credentials);

    /// <summary>SQS client configuration, e.g. <c>ServiceURL</c> for an SQS-compatible server.</summary>
    void Config(AmazonSQSConfig config);

    /// <summary>
    /// A prefix put in front of every queue name the transport creates or addresses (queues, <c>_error</c>,
    /// <c>_skipped</c> queues), and the scope in which publishers look for subscribed queues.
    /// Allowed characters: letters, digits, '-' and '_'.
    /// </summary>
    void QueueNamePrefix(string prefix);

    /// <summary>How long a publisher caches the list of queues subscribed to each message type (default 10 s, 0 = no cache).</summary>
    void SubscriptionCacheDuration(TimeSpan duration);

    /// <summary>Receives after which SQS moves a message to the queue's <c>_error</c> queue by its redrive policy (default 50).</summary>
    void MaxReceiveCount(int maxReceiveCount);
}

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
