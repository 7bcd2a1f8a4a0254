using Azure.Messaging.ServiceBus;
using MassTransit;
using MassTransit.Serialization;
using MassTransit.Transports;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>
/// A received Service Bus message. The <see cref="ServiceBusReceivedMessage"/> itself is a payload
/// (<c>context.TryGetPayload&lt;ServiceBusReceivedMessage&gt;(out var m)</c>): delivery count, sequence number, lock, enqueued time.
/// </summary>
internal sealed class ServiceBusReceiveContext : BaseReceiveContext
{
    readonly ServiceBusHeaderProvider _headers;

    public ServiceBusReceiveContext(ServiceBusReceivedMessage message, ReceiveEndpointContext receiveEndpointContext)
        : base(message.DeliveryCount > 1, receiveEndpointContext, message)
    {
        _headers = new ServiceBusHeaderProvider(message);
        Body = new BytesMessageBody(message.Body.ToArray());
    }

    protected override IHeaderProvider HeaderProvider => _headers;
    public override MessageBody Body { get; }

    protected override System.Net.Mime.ContentType? GetContentType() =>
        _headers.TryGetHeader(MessageHeaders.ContentType, out var value) && value is string text && ConvertToContentType(text) is { } contentType
            ? contentType
            : base.GetContentType();
}

/// <summary>
/// Peek-lock of one received message: complete after the consumer returns, abandon on a fault (the delivery count goes
/// up; at the entity's MaxDeliveryCount Service Bus moves it to the dead-letter queue), nothing when the lock is lost
/// (Service Bus delivers the message again).
/// </summary>
internal sealed class ServiceBusReceiveLockContext : ReceiveLockContext
{
    readonly ServiceBusReceiver _receiver;
    readonly InFlightMessage _message;
    readonly Uri _inputAddress;

    public ServiceBusReceiveLockContext(ServiceBusReceiver receiver, InFlightMessage message, Uri inputAddress)
    {
        _receiver = receiver;
        _message = message;
        _inputAddress = inputAddress;
    }

    public async Task Complete()
    {
        _message.Settle();
        await _receiver.CompleteMessageAsync(_message.Message).ConfigureAwait(false);
    }

    public async Task Faulted(Exception exception)
    {
        _message.Settle();
        if (_message.LockLost || exception is ServiceBusException { Reason: ServiceBusFailureReason.MessageLockLost or ServiceBusFailureReason.ServiceCommunicationProblem })
            return;
        try
        {
            await _receiver.AbandonMessageAsync(_message.Message).ConfigureAwait(false);
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

/// <summary>A received message whose lock the endpoint renews until it is settled.</summary>
internal sealed class InFlightMessage
{
    public InFlightMessage(ServiceBusReceivedMessage message)
    {
        Message = message;
        ReceivedAt = DateTime.UtcNow;
        ScheduleRenewal(ReceivedAt);
    }

    public ServiceBusReceivedMessage Message { get; }
    public DateTime ReceivedAt { get; }

    /// <summary>Local time at which the lock is half used up (server and local clocks only meet through the lock's length).</summary>
    public DateTime RenewAt { get; private set; }

    public bool LockLost { get; set; }
    public bool IsSettled { get; private set; }

    public void Settle() => IsSettled = true;

    /// <summary>After a receive or a renewal at local time <paramref name="now"/>: renew again when half of the lock is used.</summary>
    public void ScheduleRenewal(DateTime now)
    {
        var remaining = Message.LockedUntil.UtcDateTime - DateTime.UtcNow;
        if (remaining < TimeSpan.FromSeconds(1))
            remaining = TimeSpan.FromSeconds(1);
        RenewAt = now + remaining / 2;
    }
}
