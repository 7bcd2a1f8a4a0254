using Azure.Messaging.ServiceBus;
using MassTransit;

namespace Persisters.Transports.AzureServiceBus.Configuration;

/// <summary>Collects the host settings given through <see cref="IServiceBusHostConfigurator"/>.</summary>
internal sealed class ServiceBusHostConfigurator : IServiceBusHostConfigurator
{
    public ServiceBusHostConfigurator(Uri serviceUri)
    {
        Settings = new ServiceBusHostSettings { ServiceUri = serviceUri };
    }

    /// <summary>From a connection string: the namespace address is its Endpoint (sb://host[:port]/).</summary>
    public ServiceBusHostConfigurator(string connectionString)
    {
        ServiceBusConnectionStringProperties properties;
        try
        {
            properties = ServiceBusConnectionStringProperties.Parse(connectionString);
        }
        catch (FormatException exception)
        {
            throw new ConfigurationException($"Azure Service Bus: the connection string is not valid: {exception.Message}");
        }
        var endpoint = properties.Endpoint ?? throw new ConfigurationException("Azure Service Bus: the connection string has no Endpoint=sb://NAMESPACE/.");
        var port = endpoint.IsDefaultPort || endpoint.Port <= 0 ? "" : ":" + endpoint.Port;
        Settings = new ServiceBusHostSettings { ServiceUri = new Uri($"{ServiceBusHostSettings.Scheme}://{endpoint.Host}{port}/") };
        var hasCredentials = !string.IsNullOrEmpty(properties.SharedAccessKeyName) || !string.IsNullOrEmpty(properties.SharedAccessSignature);
        if (hasCredentials)
            Settings.ConnectionString = connectionString;
    }

    public ServiceBusHostSettings Settings { get; }

    public string ConnectionString
    {
        set
        {
            ThrowIfCredentialSet(nameof(ConnectionString));
            Settings.ConnectionString = value;
        }
    }

    public Azure.AzureNamedKeyCredential NamedKeyCredential
    {
        set
        {
            ThrowIfCredentialSet(nameof(NamedKeyCredential));
            Settings.NamedKeyCredential = value;
        }
    }

    public Azure.AzureSasCredential SasCredential
    {
        set
        {
            ThrowIfCredentialSet(nameof(SasCredential));
            Settings.SasCredential = value;
        }
    }

    public Azure.Core.TokenCredential TokenCredential
    {
        set
        {
            ThrowIfCredentialSet(nameof(TokenCredential));
            Settings.TokenCredential = value;
        }
    }

    public ServiceBusTransportType TransportType { set => Settings.TransportType = value; }
    public TimeSpan RetryMinBackoff { set => Settings.RetryMinBackoff = value; }
    public TimeSpan RetryMaxBackoff { set => Settings.RetryMaxBackoff = value; }
    public int RetryLimit { set => Settings.RetryLimit = value; }
    public bool CreateEntities { set => Settings.CreateEntities = value; }

    private void ThrowIfCredentialSet(string name)
    {
        if (Settings.ConnectionString is not null || Settings.NamedKeyCredential is not null || Settings.SasCredential is not null
            || Settings.TokenCredential is not null)
            throw new ArgumentException($"Azure Service Bus: {name} cannot be combined with another kind of credential, which is already set.");
    }
}
