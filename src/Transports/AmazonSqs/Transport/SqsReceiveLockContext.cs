using MassTransit;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// Peek-lock of one received message: while it is tracked, the endpoint keeps extending its visibility timeout;
/// complete = delete (batched), faulted = visible again at once (so MassTransit's redelivery applies).
/// </summary>
internal sealed class SqsReceiveLockContext(SqsMessages messages, SqsInFlightMessage message, Uri inputAddress)
    : TransportReceiveLockContext<SqsInFlightMessage>(message, inputAddress)
{
    protected override Task CompleteMessage() => messages.Delete(Message.QueueUrl, Message.ReceiptHandle);

    protected override Task GiveBack() => messages.Release(Message.QueueUrl, Message.ReceiptHandle);

    protected override void LogGiveBackFailed(Exception exception) =>
        LogContext.Warning?.Log(exception, "Making SQS message {MessageId} visible again failed; it returns after its visibility timeout", Message.MessageId);

    protected override string LockLostMessage() => $"The lock (visibility timeout) of SQS message {Message.MessageId} was lost.";
}
