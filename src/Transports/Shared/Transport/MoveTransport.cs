using MassTransit;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// Moves a received message, with its body and headers, to another queue (the <c>_error</c> queue through an
/// <see cref="ErrorTransport"/>, the <c>_skipped</c> queue through a <see cref="DeadLetterTransport"/>). The derived
/// class sends to its broker.
/// </summary>
internal abstract class MoveTransport
{
    /// <summary>Sends <paramref name="context"/>'s message to this transport's queue with <paramref name="extraHeaders"/> added to (or replacing) its own.</summary>
    public abstract Task Move(ReceiveContext context, IEnumerable<KeyValuePair<string, object>> extraHeaders);
}
