using System.Diagnostics.CodeAnalysis;
using Azure.Messaging.ServiceBus;
using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>The transport headers of a received message: MessageId, CorrelationId, Content-Type and the application properties.</summary>
internal sealed class ServiceBusHeaderProvider : IHeaderProvider
{
    private readonly ServiceBusReceivedMessage _message;

    public ServiceBusHeaderProvider(ServiceBusReceivedMessage message)
    {
        _message = message;
    }

    public IEnumerable<KeyValuePair<string, object>> GetAll()
    {
        if (!string.IsNullOrWhiteSpace(_message.MessageId))
            yield return new KeyValuePair<string, object>(MessageHeaders.MessageId, _message.MessageId);
        if (!string.IsNullOrWhiteSpace(_message.CorrelationId))
            yield return new KeyValuePair<string, object>(MessageHeaders.CorrelationId, _message.CorrelationId);
        if (!string.IsNullOrWhiteSpace(_message.ContentType))
            yield return new KeyValuePair<string, object>(MessageHeaders.ContentType, _message.ContentType);
        foreach (var header in _message.ApplicationProperties)
            yield return header;
    }

    public bool TryGetHeader(string key, [NotNullWhen(true)] out object? value)
    {
        if (_message.ApplicationProperties.TryGetValue(key, out value) && value is not null)
            return true;
        if (string.Equals(key, MessageHeaders.MessageId, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(_message.MessageId))
        {
            value = _message.MessageId;
            return true;
        }
        if (string.Equals(key, MessageHeaders.CorrelationId, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(_message.CorrelationId))
        {
            value = _message.CorrelationId;
            return true;
        }
        if (string.Equals(key, MessageHeaders.ContentType, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(_message.ContentType))
        {
            value = _message.ContentType;
            return true;
        }
        if (string.Equals(key, MessageHeaders.TransportSentTime, StringComparison.OrdinalIgnoreCase))
        {
            value = _message.EnqueuedTime.UtcDateTime;
            return true;
        }
        value = null;
        return false;
    }
}
