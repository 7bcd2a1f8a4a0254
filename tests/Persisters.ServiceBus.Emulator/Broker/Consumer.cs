using Microsoft.Azure.Amqp;

namespace Persisters.ServiceBus.Emulator.Broker;

/// <summary>
/// A receiver link (the emulator's sending link) attached to a store. Credit is what the client granted through
/// AMQP flows minus what the store has handed to it; the delivery tag of each message is its lock token.
/// </summary>
public sealed class Consumer
{
    private readonly SendingAmqpLink link;

    public Consumer(SendingAmqpLink link, MessageStore store)
    {
        this.link = link;
        Store = store;
        ReceiveAndDelete = link.Settings.SettleType == SettleMode.SettleOnSend;
    }

    public MessageStore Store { get; }

    /// <summary>True for receive-and-delete (sender-settled) links; false for peek-lock.</summary>
    public bool ReceiveAndDelete { get; }

    /// <summary>Guarded by the store's lock.</summary>
    public int Credit { get; set; }

    public volatile bool Closed;

    public void Send(AmqpMessage message, Guid lockToken)
    {
        if (Closed)
        {
            message.Dispose();
            return;
        }

        link.SendMessageNoWait(message, new ArraySegment<byte>(lockToken.ToByteArray()), AmqpConstants.NullBinary);
    }

    public void Close(Exception error)
    {
        Closed = true;
        link.SafeClose(error);
    }
}
