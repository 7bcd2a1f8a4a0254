using Azure;
using Azure.Core;
using Azure.Messaging.ServiceBus;

// The public configuration surface lives in the MassTransit namespace and has the shape of MassTransit's own
// MassTransit.Azure.ServiceBus.Core package (UsingAzureServiceBus, Host(connectionString | Uri, h => ...),
// IServiceBusHostConfigurator's credential properties, the queue settings on the receive endpoint), so that switching
// to the official package is a change of package reference for the common calls. What differs is in the README.
namespace MassTransit;

/// <summary>Namespace, credentials and client settings of the transport (<c>cfg.Host(…, h => …)</c>).</summary>
public interface IServiceBusHostConfigurator
{
    /// <summary>A connection string (<c>Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…</c>). Excludes the other credentials.</summary>
    string ConnectionString { set; }

    /// <summary>A shared access key name and key. Excludes the other credentials.</summary>
    AzureNamedKeyCredential NamedKeyCredential { set; }

    /// <summary>A shared access signature. Excludes the other credentials.</summary>
    AzureSasCredential SasCredential { set; }

    /// <summary>A Microsoft Entra ID credential, e.g. <c>new DefaultAzureCredential()</c> (workload or managed identity). Excludes the other credentials.</summary>
    TokenCredential TokenCredential { set; }

    /// <summary>AMQP over TCP (default, port 5671) or over WebSockets (port 443).</summary>
    ServiceBusTransportType TransportType { set; }

    /// <summary>Shortest delay of the SDK's exponential retry (default 100 ms).</summary>
    TimeSpan RetryMinBackoff { set; }

    /// <summary>Longest delay of the SDK's exponential retry (default 30 s).</summary>
    TimeSpan RetryMaxBackoff { set; }

    /// <summary>Retries of a failed Service Bus operation by the SDK (default 3).</summary>
    int RetryLimit { set; }

    /// <summary>
    /// Whether the transport creates the queues, topics and subscriptions it needs through the administration client
    /// (needs the Manage right; default true). With false the entities must be provisioned beforehand: an endpoint that
    /// starts checks that its entities exist and fails naming every missing one, temporary endpoints receive nothing,
    /// and a publish to a topic that does not exist is dropped (nobody can subscribe to a topic that does not exist).
    /// </summary>
    bool CreateEntities { set; }
}
