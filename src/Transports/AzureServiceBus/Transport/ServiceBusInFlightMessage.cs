using Azure.Messaging.ServiceBus;
using Persisters.Transports.Shared.Transport;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>A received message whose lock the endpoint renews until it is settled.</summary>
internal sealed class ServiceBusInFlightMessage : InFlightMessage
{
    public ServiceBusInFlightMessage(ServiceBusReceivedMessage message)
        : base(message.LockToken)
    {
        Message = message;
        ReceivedAt = DateTime.UtcNow;
        ScheduleRenewal(ReceivedAt);
    }

    public ServiceBusReceivedMessage Message { get; }
    public DateTime ReceivedAt { get; }

    /// <summary>Local time at which the lock is half used up (server and local clocks only meet through the lock's length).</summary>
    public DateTime RenewAt { get; private set; }

    /// <summary>After a receive or a renewal at local time <paramref name="now"/>: renew again when half of the lock is used.</summary>
    public void ScheduleRenewal(DateTime now)
    {
        var remaining = Message.LockedUntil.UtcDateTime - DateTime.UtcNow;
        if (remaining < TimeSpan.FromSeconds(1))
            remaining = TimeSpan.FromSeconds(1);
        RenewAt = now + remaining / 2;
    }
}
