using System.Text;
using Amazon.SQS.Model;
using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>Moves a received message, with its body and headers, to another queue (_error or _skipped).</summary>
internal abstract class SqsMoveTransport
{
    private readonly SqsBroker _broker;
    private readonly string _queueName;
    private readonly Uri _hostAddress;

    protected SqsMoveTransport(SqsBroker broker, string queueName, Uri hostAddress)
    {
        _broker = broker;
        _queueName = queueName;
        _hostAddress = hostAddress;
    }

    protected async Task Move(ReceiveContext context, IEnumerable<KeyValuePair<string, object>> extraHeaders)
    {
        var headers = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in context.TransportHeaders.GetAll())
            headers[key] = value;
        foreach (var (key, value) in extraHeaders)
            headers[key] = value;

        var contentType = context.ContentType?.ToString();
        string body;
        bool base64;
        if (context.TryGetPayload<Message>(out var original))
        {
            body = original.Body ?? "";
            base64 = original.MessageAttributes?.TryGetValue(SqsHeaders.BodyEncodingAttribute, out var encoding) == true
                && encoding.StringValue == SqsHeaders.Base64;
        }
        else
            (body, base64) = SqsHeaders.EncodeBody(context.GetBody(), contentType);

        var attributes = SqsHeaders.ToAttributes(headers, contentType, base64, promoteFaultHeaders: true);
        var size = SqsHeaders.Size(body, attributes);
        if (size > SqsBroker.MaxMessageBytes && headers.ContainsKey(MessageHeaders.FaultStackTrace))
        {
            // A deep stack trace must not keep a message out of its error queue: shorten it.
            var stackTrace = headers[MessageHeaders.FaultStackTrace]?.ToString() ?? "";
            var room = Math.Max(0, Encoding.UTF8.GetByteCount(stackTrace) - (size - SqsBroker.MaxMessageBytes) - 64);
            headers[MessageHeaders.FaultStackTrace] = stackTrace[..Math.Min(stackTrace.Length, room / 4)] + " …(truncated)";
            attributes = SqsHeaders.ToAttributes(headers, contentType, base64, promoteFaultHeaders: true);
            size = SqsHeaders.Size(body, attributes);
        }
        if (size > SqsBroker.MaxMessageBytes)
            throw new AmazonSqsMessageTooLargeException(_hostAddress, _broker.PhysicalName(_queueName), size, SqsBroker.MaxMessageBytes);

        var url = await _broker.GetQueueUrl(_queueName);
        await _broker.Send(url, new SendMessageBatchRequestEntry("0", body) { MessageAttributes = attributes }, size);
    }
}

internal sealed class SqsErrorTransport(SqsBroker broker, string queueName, Uri hostAddress)
    : SqsMoveTransport(broker, queueName, hostAddress), IErrorTransport
{
    public Task Send(ExceptionReceiveContext context) => Move(context, context.ExceptionHeaders.GetAll());
}

internal sealed class SqsDeadLetterTransport(SqsBroker broker, string queueName, Uri hostAddress)
    : SqsMoveTransport(broker, queueName, hostAddress), IDeadLetterTransport
{
    public Task Send(ReceiveContext context, string reason) =>
        Move(context, [new KeyValuePair<string, object>(MessageHeaders.Reason, reason ?? "Unspecified")]);
}
