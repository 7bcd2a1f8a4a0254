using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>A received SQS message. The <see cref="Message"/> itself is available as a payload.</summary>
internal sealed class SqsReceiveContext : BaseReceiveContext
{
    private readonly DictionaryHeaderProvider _headers;

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

    private sealed class DictionaryHeaderProvider(Dictionary<string, object> headers) : IHeaderProvider
    {
        public IEnumerable<KeyValuePair<string, object>> GetAll() => headers;

        public bool TryGetHeader(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? value) =>
            headers.TryGetValue(key, out value);
    }
}
