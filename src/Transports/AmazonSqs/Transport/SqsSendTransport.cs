using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Configuration;
using Persisters.Transports.AmazonSqs.Topology;

namespace Persisters.Transports.AmazonSqs.Transport;

internal sealed class SqsSendTransportProvider : ISendTransportProvider
{
    readonly SqsHostConfiguration _hostConfiguration;
    readonly ReceiveEndpointContext _context;

    public SqsSendTransportProvider(SqsHostConfiguration hostConfiguration, ReceiveEndpointContext context)
    {
        _hostConfiguration = hostConfiguration;
        _context = context;
    }

    public Uri NormalizeAddress(Uri address) => SqsAddress.ForQueue(_hostConfiguration.HostAddress, SqsAddress.GetQueueName(address));

    public Task<ISendTransport> GetSendTransport(Uri address)
    {
        var queueName = SqsAddress.GetQueueName(address);
        TransportLogMessages.CreateSendTransport(address);
        var transportContext = new SqsSendTransportContext(_hostConfiguration, _context, queueName, null);
        return Task.FromResult<ISendTransport>(new SendTransport<SqsPipeContext>(transportContext));
    }
}

internal sealed class SqsPublishTransportProvider : IPublishTransportProvider
{
    readonly SqsHostConfiguration _hostConfiguration;
    readonly ReceiveEndpointContext _context;

    public SqsPublishTransportProvider(SqsHostConfiguration hostConfiguration, ReceiveEndpointContext context)
    {
        _hostConfiguration = hostConfiguration;
        _context = context;
    }

    public Task<ISendTransport> GetPublishTransport<T>(Uri? publishAddress)
        where T : class
    {
        // Every message type the published message can be consumed as (itself, its interfaces, base types).
        var urns = MessageTypeCache<T>.MessageTypeNames;
        var transportContext = new SqsSendTransportContext(_hostConfiguration, _context, MessageUrn.ForTypeString<T>(), urns);
        return Task.FromResult<ISendTransport>(new SendTransport<SqsPipeContext>(transportContext));
    }
}

internal sealed class SqsPipeContext(CancellationToken cancellationToken) : BasePipeContext(cancellationToken);

/// <summary>
/// Sends to one queue, or (publish) to every queue subscribed to one of the message's types, one copy each.
/// </summary>
internal sealed class SqsSendTransportContext : BaseSendTransportContext, SendTransportContext<SqsPipeContext>
{
    const int MaxDelaySeconds = 15 * 60;

    readonly SqsHostConfiguration _hostConfiguration;
    readonly string _entityName;
    readonly IReadOnlyList<string>? _publishUrns;

    /// <param name="entityName">The logical queue name, or for a publish the message URN.</param>
    /// <param name="publishUrns">Null for a send to one queue; the message type URNs for a publish.</param>
    public SqsSendTransportContext(SqsHostConfiguration hostConfiguration, ReceiveEndpointContext receiveEndpointContext, string entityName,
        IReadOnlyList<string>? publishUrns)
        : base(hostConfiguration, receiveEndpointContext.Serialization)
    {
        _hostConfiguration = hostConfiguration;
        _entityName = entityName;
        _publishUrns = publishUrns;
    }

    public override string EntityName => _entityName;
    public override string ActivitySystem => "aws_sqs";

    public Task Send(IPipe<SqsPipeContext> pipe, CancellationToken cancellationToken = default) => pipe.Send(new SqsPipeContext(cancellationToken));

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateScope("sqs");
        scope.Add("entityName", _entityName);
        scope.Add("publish", _publishUrns is not null);
    }

    public override async Task<SendContext<T>> CreateSendContext<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
    {
        var sendContext = new MessageSendContext<T>(message, cancellationToken);
        await pipe.Send(sendContext).ConfigureAwait(false);
        return sendContext;
    }

    public Task<SendContext<T>> CreateSendContext<T>(SqsPipeContext context, T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class =>
        CreateSendContext(message, pipe, cancellationToken);

    public async Task Send<T>(SqsPipeContext transportContext, SendContext<T> sendContext)
        where T : class
    {
        var context = sendContext as MessageSendContext<T> ?? throw new ArgumentException("Unexpected SendContext type", nameof(sendContext));
        var cancellationToken = sendContext.CancellationToken;
        cancellationToken.ThrowIfCancellationRequested();
        var broker = _hostConfiguration.Broker;
        var address = sendContext.DestinationAddress ?? _hostConfiguration.HostAddress;
        var target = _publishUrns is null ? broker.PhysicalName(_entityName) : $"(subscribers of {_entityName})";

        var contentType = sendContext.ContentType?.ToString();
        var (body, base64) = SqsHeaders.EncodeBody(context.Body.GetBytes(), contentType);

        var headers = sendContext.Headers.GetAll().Select(h => new KeyValuePair<string, object?>(h.Key, h.Value)).ToList();
        if (sendContext.MessageId is { } messageId)
            headers.Add(new KeyValuePair<string, object?>(MessageHeaders.MessageId, messageId.ToString()));
        if (sendContext.CorrelationId is { } correlationId)
            headers.Add(new KeyValuePair<string, object?>(MessageHeaders.CorrelationId, correlationId.ToString()));
        if (sendContext.ConversationId is { } conversationId)
            headers.Add(new KeyValuePair<string, object?>(MessageHeaders.ConversationId, conversationId.ToString()));
        var attributes = SqsHeaders.ToAttributes(headers, contentType, base64, promoteFaultHeaders: false);

        var size = SqsHeaders.Size(body, attributes);
        if (size > SqsBroker.MaxMessageBytes)
            throw new AmazonSqsMessageTooLargeException(address, target, size, SqsBroker.MaxMessageBytes);

        var delaySeconds = 0;
        if (sendContext.Delay is { } delay && delay > TimeSpan.Zero)
        {
            if (delay.TotalSeconds > MaxDelaySeconds)
                throw new AmazonSqsDelayTooLongException(address, target, delay);
            delaySeconds = (int)Math.Ceiling(delay.TotalSeconds);
        }

        if (_publishUrns is null)
        {
            var url = await broker.GetQueueUrl(_entityName, cancellationToken).ConfigureAwait(false);
            await broker.Send(url, CreateEntry(body, attributes, delaySeconds), size).ConfigureAwait(false);
            return;
        }

        var subscribers = await broker.GetSubscribers(_publishUrns, cancellationToken).ConfigureAwait(false);
        if (subscribers.Count == 0)
        {
            LogContext.Debug?.Log("No SQS queue subscribes to {MessageType}; the published message is dropped", _entityName);
            return;
        }
        await Task.WhenAll(subscribers.Select(url => broker.Send(url, CreateEntry(body, attributes, delaySeconds), size))).ConfigureAwait(false);
    }

    static SendMessageBatchRequestEntry CreateEntry(string body, Dictionary<string, MessageAttributeValue> attributes, int delaySeconds)
    {
        var entry = new SendMessageBatchRequestEntry("0", body) { MessageAttributes = new Dictionary<string, MessageAttributeValue>(attributes) };
        if (delaySeconds > 0)
            entry.DelaySeconds = delaySeconds;
        return entry;
    }
}
