namespace Persisters.Transports.Shared.Configuration;

/// <summary>What the host configuration needs of a transport's host settings (<c>AmazonSqsHostSettings</c>, <c>ServiceBusHostSettings</c>).</summary>
internal interface ITransportHostSettings
{
    /// <summary>The host's address, e.g. <c>amazonsqs://REGION/</c> or <c>sb://NAMESPACE/SCOPE/</c>.</summary>
    Uri HostAddress { get; }

    /// <summary>Checks the settings; throws <see cref="MassTransit.ConfigurationException"/> naming the bad one.</summary>
    void Validate();
}
