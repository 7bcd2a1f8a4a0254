using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>
/// Moves a received message, with its body and headers, to another queue (<c>_error</c> or <c>_skipped</c>). When the
/// fault headers would push it over the entity's size limit, the stack trace is shortened, then left out: a deep stack
/// must not keep a message out of its error queue.
/// </summary>
internal abstract class ServiceBusMoveTransport
{
    readonly ServiceBusBroker _broker;
    readonly string _queuePath;
    readonly Func<CancellationToken, Task> _ensureQueue;

    protected ServiceBusMoveTransport(ServiceBusBroker broker, string queuePath, Func<CancellationToken, Task> ensureQueue)
    {
        _broker = broker;
        _queuePath = queuePath;
        _ensureQueue = ensureQueue;
    }

    protected async Task Move(ReceiveContext context, IReadOnlyList<KeyValuePair<string, object>> headers)
    {
        await _ensureQueue(context.CancellationToken).ConfigureAwait(false);
        foreach (var maxStackTrace in new int?[] { null, 2048, 0 })
        {
            var message = ServiceBusHeaders.ToMovedMessage(context, headers, maxStackTrace);
            try
            {
                await _broker.Send(_queuePath, message, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            catch (ServiceBusMessageTooLargeException) when (maxStackTrace != 0 && headers.Any(h => h.Key == MessageHeaders.FaultStackTrace))
            {
            }
        }
    }
}

internal sealed class ServiceBusErrorTransport(ServiceBusBroker broker, string queuePath, Func<CancellationToken, Task> ensureQueue)
    : ServiceBusMoveTransport(broker, queuePath, ensureQueue), IErrorTransport
{
    public Task Send(ExceptionReceiveContext context) => Move(context, context.ExceptionHeaders.GetAll().ToList());
}

internal sealed class ServiceBusDeadLetterTransport(ServiceBusBroker broker, string queuePath, Func<CancellationToken, Task> ensureQueue)
    : ServiceBusMoveTransport(broker, queuePath, ensureQueue), IDeadLetterTransport
{
    public Task Send(ReceiveContext context, string reason) =>
        Move(context, [new KeyValuePair<string, object>(MessageHeaders.Reason, reason ?? "Unspecified")]);
}
