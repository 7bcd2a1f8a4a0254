using Azure;
using Azure.Core;
using Azure.Messaging.ServiceBus;

// The public configuration surface lives in the MassTransit namespace and has the shape of MassTransit's own
// MassTransit.Azure.ServiceBus.Core package (UsingAzureServiceBus, Host(connectionString | Uri, h => ...),
// IServiceBusHostConfigurator's credential properties, the queue settings on the receive endpoint), so that switching
// to the official package is a change of package reference for the common calls. What differs is in the README.
namespace MassTransit;

/// <summary>Bus configuration for the Azure Service Bus transport.</summary>
public interface IServiceBusBusFactoryConfigurator : IBusFactoryConfigurator<IServiceBusReceiveEndpointConfigurator>
{
    /// <summary>
    /// Configures the namespace and credentials; called once. The extension methods <c>Host(connectionString, h => …)</c>
    /// and <c>Host(new Uri("sb://NAMESPACE/SCOPE"), h => …)</c> build the settings.
    /// </summary>
    void Host(ServiceBusHostSettings settings);

    /// <summary>
    /// Separates namespace and type name in topic names with <paramref name="separator"/> instead of '/': '_'
    /// (<c>Contracts_OrderPlaced</c>) or '.'. Azure Resource Manager (portal, <c>az</c>, Bicep, Terraform) cannot create
    /// entities whose names contain '/', so a deployment that provisions the topics itself needs another separator.
    /// </summary>
    /// <exception cref="ArgumentException">Any other separator. '~' (MassTransit's <c>SetNamespaceSeparatorToTilde</c>, not offered
    /// here) is refused: Service Bus's data-plane naming rules allow only letters, digits, '.', '-' and '_' in a segment, and
    /// the service refuses to create such an entity (MassTransit issue #1929).</exception>
    void SetNamespaceSeparatorTo(string separator);

    /// <summary><see cref="SetNamespaceSeparatorTo"/> with '_'.</summary>
    void SetNamespaceSeparatorToUnderscore();
}

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

/// <summary>A receive endpoint: one Service Bus queue, and the subscriptions that forward published messages to it.</summary>
public interface IServiceBusReceiveEndpointConfigurator : IReceiveEndpointConfigurator
{
    /// <summary>Peek-lock duration of the queue (default 5 minutes, at most 5 minutes). The transport renews the lock while a message is being consumed.</summary>
    TimeSpan LockDuration { set; }

    /// <summary>Deliveries after which Service Bus moves a message to the queue's dead-letter queue (default 5).</summary>
    int MaxDeliveryCount { set; }

    /// <summary>
    /// How long the transport keeps renewing the lock of a message that is still being consumed (default: for as long
    /// as it is consumed). A batch consumer holds its messages until the whole batch is done.
    /// </summary>
    TimeSpan MaxAutoRenewDuration { set; }

    /// <summary>Time to live of messages in the queue that do not set their own (default: Service Bus's, unlimited on Standard).</summary>
    TimeSpan DefaultMessageTimeToLive { set; }

    /// <summary>Idle time after which Service Bus deletes the queue (default: never; temporary endpoints 5 minutes).</summary>
    TimeSpan AutoDeleteOnIdle { set; }

    /// <summary>Whether expired messages go to the dead-letter queue (default true).</summary>
    bool EnableDeadLetteringOnMessageExpiration { set; }

    /// <summary>Where Service Bus forwards the queue's dead-lettered messages (default: they stay in its dead-letter queue).</summary>
    string ForwardDeadLetteredMessagesTo { set; }

    /// <summary>How long one receive call waits for messages before it is repeated (default 60 s).</summary>
    TimeSpan ReceiveWaitTime { set; }

    /// <summary>Subscribes the queue to published <typeparamref name="T"/> with a subscription of this name (instead of, or besides, the consume topology's).</summary>
    void Subscribe<T>(string subscriptionName) where T : class;

    /// <summary>Subscribes the queue to a topic by its path, with a subscription of this name.</summary>
    void Subscribe(string topicPath, string subscriptionName);
}

/// <summary>Send context of a message sent through the Azure Service Bus transport.</summary>
public interface ServiceBusSendContext : SendContext, PartitionKeySendContext
{
    /// <summary>When Service Bus should make the message available (a scheduled message); <c>SendContext.Delay</c> sets it too.</summary>
    DateTime? ScheduledEnqueueTimeUtc { set; }

    /// <summary>The message's Subject (formerly Label).</summary>
    string Label { set; }
}

/// <inheritdoc />
public interface ServiceBusSendContext<out T> : SendContext<T>, ServiceBusSendContext
    where T : class
{
}
