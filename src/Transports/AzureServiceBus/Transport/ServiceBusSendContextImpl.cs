using MassTransit;
using MassTransit.Context;

namespace Persisters.Transports.AzureServiceBus.Transport;

/// <summary>
/// The send context of this transport: <see cref="SendContext.Delay"/> is a scheduled enqueue time, as in MassTransit's
/// own Service Bus package.
/// </summary>
internal sealed class ServiceBusSendContextImpl<T> : MessageSendContext<T>, ServiceBusSendContext<T>
    where T : class
{
    public ServiceBusSendContextImpl(T message, CancellationToken cancellationToken)
        : base(message, cancellationToken)
    {
    }

    public override TimeSpan? Delay
    {
        get => ScheduledEnqueueTimeUtc is { } at ? at - DateTime.UtcNow : null;
        set => ScheduledEnqueueTimeUtc = value > TimeSpan.Zero ? DateTime.UtcNow + value.Value : null;
    }

    public DateTime? ScheduledEnqueueTimeUtc { get; set; }
    public string? Label { get; set; }
    public string? PartitionKey { get; set; }
}
