// The public configuration surface lives in the MassTransit namespace and has the shape of MassTransit's own
// MassTransit.Azure.ServiceBus.Core package (UsingAzureServiceBus, Host(connectionString | Uri, h => ...),
// IServiceBusHostConfigurator's credential properties, the queue settings on the receive endpoint), so that switching
// to the official package is a change of package reference for the common calls. What differs is in the README.
namespace MassTransit;

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
