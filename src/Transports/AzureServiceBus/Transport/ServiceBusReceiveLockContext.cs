using Azure.Messaging.ServiceBus;
using MassTransit;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>
/// Peek-lock of one received message: complete after the consumer returns, abandon on a fault (the delivery count goes
/// up; at the entity's MaxDeliveryCount Service Bus moves it to the dead-letter queue), nothing when the lock is lost
/// (Service Bus delivers the message again).
/// </summary>
internal sealed class ServiceBusReceiveLockContext(ServiceBusReceiver receiver, ServiceBusInFlightMessage message, Uri inputAddress)
    : TransportReceiveLockContext<ServiceBusInFlightMessage>(message, inputAddress)
{
    protected override Task CompleteMessage() => receiver.CompleteMessageAsync(Message.Message);

    protected override bool ShouldGiveBack(Exception exception) =>
        !Message.LockLost
        && exception is not ServiceBusException { Reason: ServiceBusFailureReason.MessageLockLost or ServiceBusFailureReason.ServiceCommunicationProblem };

    protected override Task GiveBack() => receiver.AbandonMessageAsync(Message.Message);

    protected override void LogGiveBackFailed(Exception exception) =>
        LogContext.Warning?.Log(exception, "Abandoning Service Bus message {MessageId} failed; it is delivered again when its lock expires",
            Message.Message.MessageId);

    protected override string LockLostMessage() =>
        $"The lock of Service Bus message {Message.Message.MessageId} (sequence number {Message.Message.SequenceNumber}) was lost.";
}
