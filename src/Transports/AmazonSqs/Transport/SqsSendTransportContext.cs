using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Context;
using MassTransit.Transports;
using Persisters.Transports.AmazonSqs.Configuration;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>
/// Sends to one queue, or (publish) to every queue subscribed to one of the message's types, one copy each.
/// </summary>
internal sealed class SqsSendTransportContext : TransportSendTransportContext<SqsHostConfiguration>, SendTransportContext<TransportPipeContext>
{
    private const int MaxDelaySeconds = 15 * 60;

    private readonly string _entityName;
    private readonly IReadOnlyList<string>? _publishUrns;

    /// <param name="entityName">The logical queue name, or for a publish the message URN.</param>
    /// <param name="publishUrns">Null for a send to one queue; the message type URNs for a publish.</param>
    public SqsSendTransportContext(SqsHostConfiguration hostConfiguration, ReceiveEndpointContext receiveEndpointContext, string entityName,
        IReadOnlyList<string>? publishUrns)
        : base(hostConfiguration, receiveEndpointContext)
    {
        _entityName = entityName;
        _publishUrns = publishUrns;
    }

    public override string EntityName => _entityName;
    public override string ActivitySystem => "aws_sqs";

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateScope("sqs");
        scope.Add("entityName", _entityName);
        scope.Add("publish", _publishUrns is not null);
    }

    public override async Task<SendContext<T>> CreateSendContext<T>(T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
    {
        var sendContext = new MessageSendContext<T>(message, cancellationToken);
        await pipe.Send(sendContext);
        return sendContext;
    }

    public async Task Send<T>(TransportPipeContext transportContext, SendContext<T> sendContext)
        where T : class
    {
        var context = sendContext as MessageSendContext<T> ?? throw new ArgumentException("Unexpected SendContext type", nameof(sendContext));
        var cancellationToken = sendContext.CancellationToken;
        cancellationToken.ThrowIfCancellationRequested();
        var broker = HostConfiguration.Broker;
        var address = sendContext.DestinationAddress ?? HostConfiguration.HostAddress;
        var target = _publishUrns is null ? broker.Queues.PhysicalName(_entityName) : $"(subscribers of {_entityName})";

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
        if (size > SqsMessages.MaxMessageBytes)
            throw new AmazonSqsMessageTooLargeException(address, target, size, SqsMessages.MaxMessageBytes);

        var delaySeconds = 0;
        if (sendContext.Delay is { } delay && delay > TimeSpan.Zero)
        {
            if (delay.TotalSeconds > MaxDelaySeconds)
                throw new AmazonSqsDelayTooLongException(address, target, delay);
            delaySeconds = (int)Math.Ceiling(delay.TotalSeconds);
        }

        if (_publishUrns is null)
        {
            var url = await broker.Queues.GetQueueUrl(_entityName, cancellationToken);
            await broker.Messages.Send(url, CreateEntry(body, attributes, delaySeconds), size);
            return;
        }

        var subscribers = await broker.Subscriptions.GetSubscribers(_publishUrns, cancellationToken);
        if (subscribers.Count == 0)
        {
            LogContext.Debug?.Log("No SQS queue subscribes to {MessageType}; the published message is dropped", _entityName);
            return;
        }
        await Task.WhenAll(subscribers.Select(url => broker.Messages.Send(url, CreateEntry(body, attributes, delaySeconds), size)));
    }

    private static SendMessageBatchRequestEntry CreateEntry(string body, Dictionary<string, MessageAttributeValue> attributes, int delaySeconds)
    {
        var entry = new SendMessageBatchRequestEntry("0", body) { MessageAttributes = new Dictionary<string, MessageAttributeValue>(attributes) };
        if (delaySeconds > 0)
            entry.DelaySeconds = delaySeconds;
        return entry;
    }
}
