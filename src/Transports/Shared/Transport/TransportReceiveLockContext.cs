using MassTransit;
using MassTransit.Transports;

namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// The lock of one received message (MassTransit's <see cref="ReceiveLockContext"/>): either outcome settles it (the
/// endpoint stops renewing it) and then completes it, or gives it back; a give-back that fails is logged, since the
/// broker makes the message available again when its lock runs out anyway.
/// </summary>
/// <typeparam name="TMessage">The transport's in-flight message.</typeparam>
/// <param name="inputAddress">The endpoint's input address, for the exception a lost lock raises.</param>
internal abstract class TransportReceiveLockContext<TMessage>(TMessage message, Uri inputAddress) : ReceiveLockContext
    where TMessage : InFlightMessage
{
    protected TMessage Message { get; } = message;

    public Task Complete()
    {
        Message.Settle();
        return CompleteMessage();
    }

    public async Task Faulted(Exception exception)
    {
        Message.Settle();
        if (!ShouldGiveBack(exception))
            return;
        try
        {
            await GiveBack();
        }
        catch (Exception giveBackException)
        {
            LogGiveBackFailed(giveBackException);
        }
    }

    /// <exception cref="TransportException">The lock was lost (<see cref="LockLostMessage"/>).</exception>
    public Task ValidateLockStatus() =>
        Message.LockLost ? throw new TransportException(inputAddress, LockLostMessage()) : Task.CompletedTask;

    /// <summary>Removes the message from its queue (SQS: delete; Service Bus: complete).</summary>
    protected abstract Task CompleteMessage();

    /// <summary>Whether a fault gives the message back; false when the broker already has it back (its lock is gone).</summary>
    protected virtual bool ShouldGiveBack(Exception exception) => true;

    /// <summary>Makes the message available again at once (SQS: visibility 0; Service Bus: abandon), so MassTransit's redelivery applies.</summary>
    protected abstract Task GiveBack();

    protected abstract void LogGiveBackFailed(Exception exception);

    /// <summary>The text of the <see cref="TransportException"/> a lost lock raises, naming the message.</summary>
    protected abstract string LockLostMessage();
}
