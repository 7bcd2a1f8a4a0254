using Azure.Messaging.ServiceBus;
using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>
/// Peek-lock of one received message: complete after the consumer returns, abandon on a fault (the delivery count goes
/// up; at the entity's MaxDeliveryCount Service Bus moves it to the dead-letter queue), nothing when the lock is lost
/// (Service Bus delivers the message again).
/// </summary>
internal sealed class ServiceBusReceiveLockContext : ReceiveLockContext
{
    private readonly ServiceBusReceiver _receiver;
    private readonly InFlightMessage _message;
    private readonly Uri _inputAddress;

    public ServiceBusReceiveLockContext(ServiceBusReceiver receiver, InFlightMessage message, Uri inputAddress)
    {
        _receiver = receiver;
        _message = message;
        _inputAddress = inputAddress;
    }

    public async Task Complete()
    {
        _message.Settle();
        await _receiver.CompleteMessageAsync(_message.Message);
    }

    public async Task Faulted(Exception exception)
    {
        _message.Settle();
        if (_message.LockLost || exception is ServiceBusException { Reason: ServiceBusFailureReason.MessageLockLost or ServiceBusFailureReason.ServiceCommunicationProblem })
            return;
        try
        {
            await _receiver.AbandonMessageAsync(_message.Message);
        }
        catch (Exception abandonException)
        {
            LogContext.Warning?.Log(abandonException, "Abandoning Service Bus message {MessageId} failed; it is delivered again when its lock expires",
                _message.Message.MessageId);
        }
    }

    public Task ValidateLockStatus() =>
        _message.LockLost
            ? throw new TransportException(_inputAddress, $"The lock of Service Bus message {_message.Message.MessageId} (sequence number {_message.Message.SequenceNumber}) was lost.")
            : Task.CompletedTask;
}
