using System.Text.RegularExpressions;
using Amazon;
using Amazon.Runtime;
using Amazon.SQS;
using Persisters.Transports.Shared.Configuration;

namespace MassTransit;

/// <summary>Everything the transport needs to reach SQS. Filled by <see cref="IAmazonSqsHostConfigurator"/>.</summary>
public sealed partial class AmazonSqsHostSettings : ITransportHostSettings
{
    public const string Scheme = "amazonsqs";

    public AmazonSqsHostSettings(string region)
    {
        if (string.IsNullOrWhiteSpace(region))
            throw new ArgumentException("The AWS region is required, e.g. \"us-east-1\".", nameof(region));
        Region = region;
    }

    public string Region { get; }
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    public AWSCredentials? Credentials { get; set; }
    public AmazonSQSConfig? Config { get; set; }

    /// <summary>Prefix of every physical queue name (may be empty).</summary>
    public string QueueNamePrefix { get; set; } = "";

    public TimeSpan SubscriptionCacheDuration { get; set; } = TimeSpan.FromSeconds(10);
    public int MaxReceiveCount { get; set; } = 50;

    public Uri HostAddress => new($"{Scheme}://{Region}/");

    /// <summary>Checks the settings; throws <see cref="ConfigurationException"/> naming the bad one.</summary>
    public void Validate()
    {
        if ((AccessKey is null) != (SecretKey is null))
            throw new ConfigurationException("Amazon SQS: AccessKey and SecretKey must be given together (or neither, for the default AWS credential chain).");
        if (QueueNamePrefix.Length > 0 && !ValidName().IsMatch(QueueNamePrefix))
            throw new ConfigurationException($"Amazon SQS: queue name prefix '{QueueNamePrefix}' may contain only letters, digits, '-' and '_'.");
        if (QueueNamePrefix.Length > 40)
            throw new ConfigurationException($"Amazon SQS: queue name prefix '{QueueNamePrefix}' is longer than 40 characters (SQS queue names have at most 80).");
        if (SubscriptionCacheDuration < TimeSpan.Zero)
            throw new ConfigurationException("Amazon SQS: the subscription cache duration cannot be negative.");
        if (MaxReceiveCount is < 1 or > 1000)
            throw new ConfigurationException($"Amazon SQS: MaxReceiveCount {MaxReceiveCount} must be between 1 and 1000.");
    }

    internal AmazonSQSClient CreateClient()
    {
        var config = Config ?? new AmazonSQSConfig();
        if (string.IsNullOrEmpty(config.ServiceURL))
            config.RegionEndpoint ??= RegionEndpoint.GetBySystemName(Region);
        else
            config.AuthenticationRegion ??= Region;

        if (AccessKey is not null && SecretKey is not null)
            return new AmazonSQSClient(new BasicAWSCredentials(AccessKey, SecretKey), config);
        if (Credentials is not null)
            return new AmazonSQSClient(Credentials, config);
        return new AmazonSQSClient(config); // default AWS credential chain
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    internal static partial Regex ValidName();
}
