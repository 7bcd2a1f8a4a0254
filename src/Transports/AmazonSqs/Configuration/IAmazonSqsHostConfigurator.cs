using Amazon.Runtime;
using Amazon.SQS;

// The public configuration surface lives in the MassTransit namespace and mirrors the shape of MassTransit's own
// MassTransit.AmazonSqs package (UsingAmazonSqs, Host(region, h => ...), AccessKey, SecretKey, Config), so that
// switching to the official package is a change of package reference for the common calls.
namespace MassTransit;

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
