using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>
/// Moves a received message, with its body and headers, to another queue (<c>_error</c> or <c>_skipped</c>). When the
/// fault headers would push it over the entity's size limit, the stack trace is shortened, then left out: a deep stack
/// must not keep a message out of its error queue. A time to live the message has from the endpoint queue's
/// <c>DefaultMessageTimeToLive</c> (Service Bus stamps it on messages whose sender set none) is not carried over.
/// </summary>
internal abstract class ServiceBusMoveTransport
{
    private readonly ServiceBusBroker _broker;
    private readonly string _queuePath;
    private readonly Func<CancellationToken, Task> _ensureQueue;
    private readonly TimeSpan? _sourceTimeToLive;

    protected ServiceBusMoveTransport(ServiceBusBroker broker, string queuePath, Func<CancellationToken, Task> ensureQueue, TimeSpan? sourceTimeToLive)
    {
        _broker = broker;
        _queuePath = queuePath;
        _ensureQueue = ensureQueue;
        _sourceTimeToLive = sourceTimeToLive;
    }

    protected async Task Move(ReceiveContext context, IReadOnlyList<KeyValuePair<string, object>> headers)
    {
        await _ensureQueue(context.CancellationToken);
        foreach (var maxStackTrace in new int?[] { null, 2048, 0 })
        {
            var message = ServiceBusHeaders.ToMovedMessage(context, headers, maxStackTrace, _sourceTimeToLive);
            try
            {
                await _broker.Send(_queuePath, message, CancellationToken.None);
                return;
            }
            catch (ServiceBusMessageTooLargeException) when (maxStackTrace != 0 && headers.Any(h => h.Key == MessageHeaders.FaultStackTrace))
            {
            }
        }
    }
}

internal sealed class ServiceBusErrorTransport(ServiceBusBroker broker, string queuePath, Func<CancellationToken, Task> ensureQueue, TimeSpan? sourceTimeToLive)
    : ServiceBusMoveTransport(broker, queuePath, ensureQueue, sourceTimeToLive), IErrorTransport
{
    public Task Send(ExceptionReceiveContext context) => Move(context, context.ExceptionHeaders.GetAll().ToList());
}

internal sealed class ServiceBusDeadLetterTransport(ServiceBusBroker broker, string queuePath, Func<CancellationToken, Task> ensureQueue, TimeSpan? sourceTimeToLive)
    : ServiceBusMoveTransport(broker, queuePath, ensureQueue, sourceTimeToLive), IDeadLetterTransport
{
    public Task Send(ReceiveContext context, string reason) =>
        Move(context, [new KeyValuePair<string, object>(MessageHeaders.Reason, reason ?? "Unspecified")]);
}
