using Azure;
using Azure.Core;
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using Persisters.Transports.AzureServiceBus.Topology;
using Persisters.Transports.Shared.Configuration;

namespace MassTransit;

/// <summary>
/// Everything the transport needs to reach a Service Bus namespace. Filled by <see cref="IServiceBusHostConfigurator"/>
/// through <c>cfg.Host(connectionString, h => …)</c> or <c>cfg.Host(new Uri("sb://NAMESPACE/SCOPE"), h => …)</c>.
/// </summary>
public sealed class ServiceBusHostSettings : ITransportHostSettings
{
    public const string Scheme = "sb";

    /// <summary>
    /// The namespace address, <c>sb://NAMESPACE[:PORT]/[SCOPE]</c>. A scope puts every receive endpoint queue under
    /// <c>SCOPE/</c> and suffixes subscription names with <c>-SCOPE</c> (as MassTransit's own package does); topics stay at
    /// the root unless the entity name formatter says otherwise.
    /// </summary>
    public Uri ServiceUri { get; set; } = new("sb://no-host-configured/");

    public string? ConnectionString { get; set; }
    public AzureNamedKeyCredential? NamedKeyCredential { get; set; }
    public AzureSasCredential? SasCredential { get; set; }
    public TokenCredential? TokenCredential { get; set; }

    /// <summary>A client to use instead of one built from these settings (its credentials are then its own).</summary>
    public ServiceBusClient? ServiceBusClient { get; set; }

    /// <summary>An administration client to use instead of one built from these settings.</summary>
    public ServiceBusAdministrationClient? ServiceBusAdministrationClient { get; set; }

    public ServiceBusTransportType TransportType { get; set; } = ServiceBusTransportType.AmqpTcp;
    public TimeSpan RetryMinBackoff { get; set; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan RetryMaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
    public int RetryLimit { get; set; } = 3;

    /// <summary>Create missing entities through the administration client (true), or only check that they exist (false).</summary>
    public bool CreateEntities { get; set; } = true;

    /// <summary>The scope (path of <see cref="ServiceUri"/>), empty for none.</summary>
    public string Scope => ServiceUri.AbsolutePath.Trim('/');

    /// <summary><see cref="ServiceUri"/> without a trailing slash ambiguity: <c>sb://host[:port]/scope/</c>.</summary>
    public Uri HostAddress => new($"{Scheme}://{ServiceUri.Authority}/{(Scope.Length == 0 ? "" : Scope + "/")}");

    /// <summary>The namespace's host name as the SDK addresses it.</summary>
    public string FullyQualifiedNamespace => ServiceUri.Host;

    /// <summary>Checks the settings; throws <see cref="ConfigurationException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (!string.Equals(ServiceUri.Scheme, Scheme, StringComparison.OrdinalIgnoreCase))
            throw new ConfigurationException($"Azure Service Bus: the host address {ServiceUri} must use the sb:// scheme (sb://NAMESPACE.servicebus.windows.net/).");
        if (ServiceUri.Host is "" or "no-host-configured")
            throw new ConfigurationException("Azure Service Bus: the host is not configured; call cfg.Host(connectionString) or cfg.Host(new Uri(\"sb://NAMESPACE\"), h => h.TokenCredential = …).");
        if (Scope.Length > 0 && !ServiceBusNames.IsValidEntityPath(Scope))
            throw new ConfigurationException($"Azure Service Bus: the scope '{Scope}' is not a valid entity path (letters, digits, '.', '-', '_', segments separated by '/').");

        var credentials = new[] { ConnectionString is not null, NamedKeyCredential is not null, SasCredential is not null, TokenCredential is not null }.Count(x => x);
        if (ServiceBusClient is null && credentials == 0)
            throw new ConfigurationException(
                "Azure Service Bus: no credentials; give a connection string, a named key, a SAS credential or a token credential (e.g. DefaultAzureCredential).");
        if (credentials > 1)
            throw new ConfigurationException("Azure Service Bus: give exactly one of ConnectionString, NamedKeyCredential, SasCredential and TokenCredential.");
        if (ConnectionString is not null)
        {
            ServiceBusConnectionStringProperties properties;
            try
            {
                properties = ServiceBusConnectionStringProperties.Parse(ConnectionString);
            }
            catch (FormatException exception)
            {
                throw new ConfigurationException($"Azure Service Bus: the connection string is not valid: {exception.Message}");
            }
            if (properties.Endpoint is null)
                throw new ConfigurationException("Azure Service Bus: the connection string has no Endpoint=sb://NAMESPACE/.");
            if (string.IsNullOrEmpty(properties.SharedAccessSignature) && (string.IsNullOrEmpty(properties.SharedAccessKeyName) || string.IsNullOrEmpty(properties.SharedAccessKey)))
                throw new ConfigurationException("Azure Service Bus: the connection string has no SharedAccessKeyName and SharedAccessKey (or SharedAccessSignature).");
            if (!string.IsNullOrEmpty(properties.EntityPath))
                throw new ConfigurationException("Azure Service Bus: the connection string names an entity (EntityPath); the transport needs a namespace-level connection string.");
        }
        if (RetryLimit < 0)
            throw new ConfigurationException($"Azure Service Bus: RetryLimit {RetryLimit} cannot be negative.");
        if (RetryMinBackoff < TimeSpan.Zero || RetryMaxBackoff < RetryMinBackoff)
            throw new ConfigurationException("Azure Service Bus: RetryMinBackoff must be at least zero and at most RetryMaxBackoff.");
    }

    private ServiceBusClientOptions ClientOptions() => new()
    {
        TransportType = TransportType,
        RetryOptions = new ServiceBusRetryOptions
        {
            Mode = ServiceBusRetryMode.Exponential,
            Delay = RetryMinBackoff,
            MaxDelay = RetryMaxBackoff,
            MaxRetries = RetryLimit,
        },
    };

    internal ServiceBusClient CreateClient()
    {
        if (ServiceBusClient is not null)
            return ServiceBusClient;
        if (ConnectionString is not null)
            return new ServiceBusClient(ConnectionString, ClientOptions());
        if (NamedKeyCredential is not null)
            return new ServiceBusClient(FullyQualifiedNamespace, NamedKeyCredential, ClientOptions());
        if (SasCredential is not null)
            return new ServiceBusClient(FullyQualifiedNamespace, SasCredential, ClientOptions());
        return new ServiceBusClient(FullyQualifiedNamespace, TokenCredential!, ClientOptions());
    }

    internal ServiceBusAdministrationClient CreateAdministrationClient()
    {
        if (ServiceBusAdministrationClient is not null)
            return ServiceBusAdministrationClient;
        if (ConnectionString is not null)
            return new ServiceBusAdministrationClient(ConnectionString);
        if (NamedKeyCredential is not null)
            return new ServiceBusAdministrationClient(FullyQualifiedNamespace, NamedKeyCredential);
        if (SasCredential is not null)
            return new ServiceBusAdministrationClient(FullyQualifiedNamespace, SasCredential);
        if (TokenCredential is not null)
            return new ServiceBusAdministrationClient(FullyQualifiedNamespace, TokenCredential);
        throw new ConfigurationException(
            "Azure Service Bus: a custom ServiceBusClient was given without a ServiceBusAdministrationClient; give one, or set CreateEntities = false.");
    }
}
