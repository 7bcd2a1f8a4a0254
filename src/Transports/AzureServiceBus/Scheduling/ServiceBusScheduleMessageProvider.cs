using MassTransit;
using MassTransit.Scheduling;

namespace Persisters.Transports.AzureServiceBus.Scheduling;

/// <summary>
/// Schedules a message by sending it with a delay: the transport hands it to Service Bus as a scheduled message
/// (<c>ServiceBusSender.ScheduleMessageAsync</c>) and records its sequence number in the schedule's token id, so that a
/// cancel can remove it (<c>CancelScheduledMessageAsync</c>). The message is stored by Service Bus until its time.
/// </summary>
internal sealed class ServiceBusScheduleMessageProvider : IScheduleMessageProvider
{
    private readonly ISendEndpointProvider _sendEndpointProvider;

    public ServiceBusScheduleMessageProvider(ISendEndpointProvider sendEndpointProvider)
    {
        _sendEndpointProvider = sendEndpointProvider;
    }

    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class
    {
        if (!MessageTypeCache<T>.IsValidMessageType)
            throw new ArgumentException(MessageTypeCache<T>.InvalidMessageTypeReason, nameof(T));
        var schedulePipe = new ScheduleSendPipe<T>(pipe, scheduledTime);
        var endpoint = await _sendEndpointProvider.GetSendEndpoint(destinationAddress);
        await endpoint.Send(message, schedulePipe, cancellationToken);
        return new ScheduledMessageHandle<T>(schedulePipe.ScheduledMessageId ?? NewId.NextGuid(), scheduledTime, destinationAddress, message);
    }

    /// <summary>Without a destination there is no entity to cancel on: nothing to do (as in MassTransit's own package).</summary>
    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken)
    {
        var endpoint = await _sendEndpointProvider.GetSendEndpoint(destinationAddress);
        await endpoint.Send<CancelScheduledMessage>(new { InVar.CorrelationId, InVar.Timestamp, TokenId = tokenId }, cancellationToken);
    }
}
