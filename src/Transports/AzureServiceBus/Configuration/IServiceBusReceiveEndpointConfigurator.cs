// The public configuration surface lives in the MassTransit namespace and has the shape of MassTransit's own
// MassTransit.Azure.ServiceBus.Core package (UsingAzureServiceBus, Host(connectionString | Uri, h => ...),
// IServiceBusHostConfigurator's credential properties, the queue settings on the receive endpoint), so that switching
// to the official package is a change of package reference for the common calls. What differs is in the README.
namespace MassTransit;

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
