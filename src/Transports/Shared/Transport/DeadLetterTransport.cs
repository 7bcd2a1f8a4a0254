using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// The endpoint's <see cref="IDeadLetterTransport"/>: moves a message no consumer took to its <c>_skipped</c> queue,
/// with the reason in <see cref="MessageHeaders.Reason"/> (<c>Unspecified</c> when none is given).
/// </summary>
internal sealed class DeadLetterTransport(MoveTransport queue) : IDeadLetterTransport
{
    public Task Send(ReceiveContext context, string reason) =>
        queue.Move(context, [new KeyValuePair<string, object>(MessageHeaders.Reason, reason ?? "Unspecified")]);
}
