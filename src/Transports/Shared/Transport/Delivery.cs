using MassTransit.Transports;

namespace Persisters.Transports.Shared.Transport;

/// <summary>One received message, ready to dispatch: its delivery key, its tracked lock, and its receive and lock contexts.</summary>
/// <typeparam name="TKey">The key MassTransit's <see cref="ConsumerAgent{TKey}"/> tracks deliveries by.</typeparam>
/// <typeparam name="TInFlight">The transport's in-flight message.</typeparam>
internal readonly record struct Delivery<TKey, TInFlight>(TKey Key, TInFlight Message, BaseReceiveContext Context, ReceiveLockContext LockContext)
    where TInFlight : InFlightMessage;
