using Amazon.Runtime;
using Amazon.SQS;
using MassTransit;

namespace Persisters.Transports.AmazonSqs.Configuration;

/// <summary>Collects the host settings given through <see cref="IAmazonSqsHostConfigurator"/>.</summary>
internal sealed class SqsHostConfigurator : IAmazonSqsHostConfigurator
{
    public SqsHostConfigurator(string region)
    {
        Settings = new AmazonSqsHostSettings(region);
    }

    public AmazonSqsHostSettings Settings { get; }

    public void AccessKey(string accessKey) => Settings.AccessKey = accessKey;
    public void SecretKey(string secretKey) => Settings.SecretKey = secretKey;
    public void Credentials(AWSCredentials credentials) => Settings.Credentials = credentials;
    public void Config(AmazonSQSConfig config) => Settings.Config = config;
    public void QueueNamePrefix(string prefix) => Settings.QueueNamePrefix = prefix ?? "";
    public void SubscriptionCacheDuration(TimeSpan duration) => Settings.SubscriptionCacheDuration = duration;
    public void MaxReceiveCount(int maxReceiveCount) => Settings.MaxReceiveCount = maxReceiveCount;
}
