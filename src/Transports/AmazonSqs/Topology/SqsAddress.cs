using MassTransit;

namespace Persisters.Transports.AmazonSqs.Topology;

/// <summary>
/// Addresses: <c>amazonsqs://REGION/QUEUE</c> for a queue (the logical name, without the host's queue prefix),
/// <c>queue:QUEUE</c> as MassTransit's short form, and <c>amazonsqs://REGION/_publish/URN</c> for a publish address.
/// </summary>
internal static class SqsAddress
{
    private const string PublishSegment = "_publish";

    public static Uri ForQueue(Uri hostAddress, string queueName) => new($"{hostAddress.Scheme}://{hostAddress.Authority}/{queueName}");

    public static Uri ForPublish(Uri hostAddress, string messageUrn) =>
        new($"{hostAddress.Scheme}://{hostAddress.Authority}/{PublishSegment}/{Uri.EscapeDataString(messageUrn)}");

    /// <summary>The logical queue name an address points at.</summary>
    public static string GetQueueName(Uri address)
    {
        switch (address.Scheme.ToLowerInvariant())
        {
            case "queue":
                return TrimQuery(address.OriginalString["queue:".Length..]);
            case AmazonSqsHostSettings.Scheme:
                var segments = address.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
                if (segments.Length == 0)
                    throw new ArgumentException($"The address {address} names no queue.", nameof(address));
                if (segments[0] == PublishSegment)
                    throw new ArgumentException($"The address {address} is a publish address, not a queue.", nameof(address));
                return Uri.UnescapeDataString(segments[^1]);
            default:
                throw new ArgumentException(
                    $"The Amazon SQS transport cannot send to {address}: use amazonsqs://REGION/QUEUE or queue:QUEUE.", nameof(address));
        }
    }

    private static string TrimQuery(string text)
    {
        var q = text.IndexOf('?');
        return q >= 0 ? text[..q] : text;
    }
}
