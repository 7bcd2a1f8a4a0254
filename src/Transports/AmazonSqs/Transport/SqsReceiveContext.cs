using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Serialization;
using MassTransit.Transports;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>A received SQS message. The <see cref="Message"/> itself is available as a payload.</summary>
internal sealed class SqsReceiveContext : BaseReceiveContext
{
    readonly DictionaryHeaderProvider _headers;

    public SqsReceiveContext(Message message, bool redelivered, ReceiveEndpointContext receiveEndpointContext)
        : base(redelivered, receiveEndpointContext, message)
    {
        TransportMessage = message;
        _headers = new DictionaryHeaderProvider(SqsHeaders.FromAttributes(message));
        Body = new BytesMessageBody(SqsHeaders.DecodeBody(message));
    }

    public Message TransportMessage { get; }
    protected override IHeaderProvider HeaderProvider => _headers;
    public override MessageBody Body { get; }

    sealed class DictionaryHeaderProvider(Dictionary<string, object> headers) : IHeaderProvider
    {
        public IEnumerable<KeyValuePair<string, object>> GetAll() => headers;

        public bool TryGetHeader(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? value) =>
            headers.TryGetValue(key, out value);
    }
}

/// <summary>
/// Peek-lock of one received message: while it is tracked, the endpoint keeps extending its visibility timeout;
/// complete = delete (batched), faulted = visible again at once (so MassTransit's redelivery applies).
/// </summary>
internal sealed class SqsReceiveLockContext : ReceiveLockContext
{
    readonly SqsBroker _broker;
    readonly InFlightMessage _message;
    readonly Uri _inputAddress;

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
            await _broker.Release(_message.QueueUrl, _message.ReceiptHandle).ConfigureAwait(false);
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

/// <summary>A received message whose visibility timeout the endpoint extends until it is settled.</summary>
internal sealed class InFlightMessage
{
    public InFlightMessage(string queueUrl, Message message, int visibilityTimeout)
    {
        QueueUrl = queueUrl;
        MessageId = message.MessageId;
        ReceiptHandle = message.ReceiptHandle;
        VisibleUntil = DateTime.UtcNow.AddSeconds(visibilityTimeout);
    }

    public string QueueUrl { get; }
    public string MessageId { get; }
    public string ReceiptHandle { get; }
    public DateTime VisibleUntil { get; set; }
    public bool LockLost { get; set; }
    public bool IsSettled { get; private set; }

    public void Settle() => IsSettled = true;
}
