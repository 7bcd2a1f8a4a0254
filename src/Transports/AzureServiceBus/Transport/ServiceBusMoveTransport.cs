using MassTransit;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>
/// Moves a received message, with its body and headers, to another queue (<c>_error</c> or <c>_skipped</c>). When the
/// fault headers would push it over the entity's size limit, the stack trace is shortened, then left out: a deep stack
/// must not keep a message out of its error queue. A time to live the message has from the endpoint queue's
/// <c>DefaultMessageTimeToLive</c> (Service Bus stamps it on messages whose sender set none) is not carried over.
/// </summary>
internal sealed class ServiceBusMoveTransport(ServiceBusBroker broker, string queuePath, Func<CancellationToken, Task> ensureQueue, TimeSpan? sourceTimeToLive)
    : MoveTransport
{
    public override async Task Move(ReceiveContext context, IEnumerable<KeyValuePair<string, object>> extraHeaders)
    {
        var headers = extraHeaders as IReadOnlyList<KeyValuePair<string, object>> ?? extraHeaders.ToList();
        await ensureQueue(context.CancellationToken);
        foreach (var maxStackTrace in new int?[] { null, 2048, 0 })
        {
            var message = ServiceBusHeaders.ToMovedMessage(context, headers, maxStackTrace, sourceTimeToLive);
            try
            {
                await broker.Send(queuePath, message, CancellationToken.None);
                return;
            }
            catch (ServiceBusMessageTooLargeException) when (maxStackTrace != 0 && headers.Any(h => h.Key == MessageHeaders.FaultStackTrace))
            {
            }
        }
    }
}
