using MassTransit;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// A message is larger than its broker takes; nothing was sent. Each transport derives its own, with the broker's limit
/// and how the size was counted in the message.
/// </summary>
public abstract class MessageTooLargeException : TransportException
{
    protected MessageTooLargeException(Uri address, string message, long size, long limit)
        : base(address, message)
    {
        Size = size;
        Limit = limit;
    }

    /// <summary>The message's size in bytes, counted as the broker counts it (or estimated, where the broker says so).</summary>
    public long Size { get; }

    /// <summary>The largest message the broker takes there, in bytes.</summary>
    public long Limit { get; }
}
