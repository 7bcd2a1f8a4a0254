namespace Persisters.Transports.Shared.Transport;

/// <summary>
/// A received message the endpoint holds a lock on (an SQS visibility timeout, a Service Bus peek-lock) and keeps
/// renewing until it is settled (completed or given back).
/// </summary>
internal abstract class InFlightMessage
{
    protected InFlightMessage(string lockToken)
    {
        LockToken = lockToken;
    }

    /// <summary>What identifies this delivery's lock to the broker (an SQS receipt handle, a Service Bus lock token).</summary>
    public string LockToken { get; }

    /// <summary>The broker refused a renewal: the lock is gone and another receive may get the message.</summary>
    public bool LockLost { get; set; }

    public bool IsSettled { get; private set; }

    public void Settle() => IsSettled = true;
}
