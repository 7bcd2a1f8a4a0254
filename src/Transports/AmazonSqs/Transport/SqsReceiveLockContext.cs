using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// Peek-lock of one received message: while it is tracked, the endpoint keeps extending its visibility timeout;
/// complete = delete (batched), faulted = visible again at once (so MassTransit's redelivery applies).
/// </summary>
internal sealed class SqsReceiveLockContext : ReceiveLockContext
{
    private readonly SqsBroker _broker;
    private readonly InFlightMessage _message;
    private readonly Uri _inputAddress;

    public SqsReceiveLockContext(SqsBroker broker, InFlightMessage message, Uri inputAddress)
    {
        _broker = broker;
        _message = message;
        _inputAddress = inputAddress;
    }

    public Task Complete()
    {
        _message.Settle();
        return _broker.Delete(_message.QueueUrl, _message.ReceiptHandle);
    }

    public async Task Faulted(Exception exception)
    {
        _message.Settle();
        try
        {
            await _broker.Release(_message.QueueUrl, _message.ReceiptHandle);
        }
        catch (Exception releaseException)
        {
            LogContext.Warning?.Log(releaseException, "Making SQS message {MessageId} visible again failed; it returns after its visibility timeout",
                _message.MessageId);
        }
    }

    public Task ValidateLockStatus() =>
        _message.LockLost
            ? throw new TransportException(_inputAddress, $"The lock (visibility timeout) of SQS message {_message.MessageId} was lost.")
            : Task.CompletedTask;
}
