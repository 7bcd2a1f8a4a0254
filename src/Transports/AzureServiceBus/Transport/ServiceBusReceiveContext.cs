using Azure.Messaging.ServiceBus;
using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>
/// A received Service Bus message. The <see cref="ServiceBusReceivedMessage"/> itself is a payload
/// (<c>context.TryGetPayload&lt;ServiceBusReceivedMessage&gt;(out var m)</c>): delivery count, sequence number, lock, enqueued time.
/// </summary>
internal sealed class ServiceBusReceiveContext : BaseReceiveContext
{
    private readonly ServiceBusHeaderProvider _headers;

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
