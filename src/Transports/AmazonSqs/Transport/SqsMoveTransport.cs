using System.Text;
using Amazon.SQS.Model;
using MassTransit;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AmazonSqs.Transport;

/// <summary>Moves a received message, with its body and headers, to another queue (_error or _skipped).</summary>
internal sealed class SqsMoveTransport(SqsBroker broker, string queueName, Uri hostAddress) : MoveTransport
{
    public override async Task Move(ReceiveContext context, IEnumerable<KeyValuePair<string, object>> extraHeaders)
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
        if (size > SqsMessages.MaxMessageBytes && headers.ContainsKey(MessageHeaders.FaultStackTrace))
        {
            // A deep stack trace must not keep a message out of its error queue: shorten it.
            var stackTrace = headers[MessageHeaders.FaultStackTrace]?.ToString() ?? "";
            var room = Math.Max(0, Encoding.UTF8.GetByteCount(stackTrace) - (size - SqsMessages.MaxMessageBytes) - 64);
            headers[MessageHeaders.FaultStackTrace] = stackTrace[..Math.Min(stackTrace.Length, room / 4)] + " …(truncated)";
            attributes = SqsHeaders.ToAttributes(headers, contentType, base64, promoteFaultHeaders: true);
            size = SqsHeaders.Size(body, attributes);
        }
        if (size > SqsMessages.MaxMessageBytes)
            throw new AmazonSqsMessageTooLargeException(hostAddress, broker.Queues.PhysicalName(queueName), size, SqsMessages.MaxMessageBytes);

        var url = await broker.Queues.GetQueueUrl(queueName);
        await broker.Messages.Send(url, new SendMessageBatchRequestEntry("0", body) { MessageAttributes = attributes }, size);
    }
}
