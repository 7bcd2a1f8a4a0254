using MassTransit;

namespace Persisters.Transports.AzureServiceBus.Topology;

/// <summary>
/// Addresses: <c>sb://NAMESPACE/SCOPE/QUEUE</c> (a queue, by its full path), <c>sb://NAMESPACE/TOPIC?type=topic</c> (a
/// topic), MassTransit's short forms <c>queue:NAME</c> (a queue under the host's scope) and <c>topic:PATH</c>.
/// </summary>
internal readonly record struct ServiceBusAddress(ServiceBusEntityType Type, string Path)
{
    /// <summary>The entity an address names; <paramref name="scope"/> is the host's scope, which a <c>queue:NAME</c> goes under.</summary>
    /// <exception cref="ArgumentException">The address's scheme is none of <c>queue</c>, <c>topic</c> and <c>sb</c>, or it names no entity.</exception>
    public static ServiceBusAddress Parse(string scope, Uri address)
    {
        switch (address.Scheme.ToLowerInvariant())
        {
            case "queue":
                return new ServiceBusAddress(ServiceBusEntityType.Queue, ServiceBusNames.QueuePath(scope, Name(address, "queue:")));
            case "topic":
                return new ServiceBusAddress(ServiceBusEntityType.Topic, Name(address, "topic:"));
            case ServiceBusHostSettings.Scheme:
                var path = Uri.UnescapeDataString(address.AbsolutePath).Trim('/');
                if (path.Length == 0)
                    throw new ArgumentException($"The address {address} names no queue or topic.", nameof(address));
                var isTopic = address.Query.Contains("type=topic", StringComparison.OrdinalIgnoreCase);
                return new ServiceBusAddress(isTopic ? ServiceBusEntityType.Topic : ServiceBusEntityType.Queue, path);
            default:
                throw new ArgumentException(
                    $"The Azure Service Bus transport cannot send to {address}: use sb://NAMESPACE/QUEUE, sb://NAMESPACE/TOPIC?type=topic, queue:NAME or topic:PATH.",
                    nameof(address));
        }
    }

    public Uri ToUri(Uri hostAddress) =>
        new($"{hostAddress.Scheme}://{hostAddress.Authority}/{Path}{(Type == ServiceBusEntityType.Topic ? "?type=topic" : "")}");

    private static string Name(Uri address, string prefix)
    {
        var text = address.OriginalString[prefix.Length..];
        var q = text.IndexOf('?');
        return Uri.UnescapeDataString(q >= 0 ? text[..q] : text).Trim('/');
    }
}
