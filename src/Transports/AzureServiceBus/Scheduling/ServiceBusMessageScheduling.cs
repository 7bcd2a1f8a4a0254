using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;
using MassTransit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Persisters.Transports.AzureServiceBus.Scheduling;

/// <summary>
/// Schedules a message by sending it with a delay: the transport hands it to Service Bus as a scheduled message
/// (<c>ServiceBusSender.ScheduleMessageAsync</c>) and records its sequence number in the schedule's token id, so that a
/// cancel can remove it (<c>CancelScheduledMessageAsync</c>). The message is stored by Service Bus until its time.
/// </summary>
internal sealed class ServiceBusScheduleMessageProvider : IScheduleMessageProvider
{
    readonly ISendEndpointProvider _sendEndpointProvider;

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
        var endpoint = await _sendEndpointProvider.GetSendEndpoint(destinationAddress).ConfigureAwait(false);
        await endpoint.Send(message, schedulePipe, cancellationToken).ConfigureAwait(false);
        return new ScheduledMessageHandle<T>(schedulePipe.ScheduledMessageId ?? NewId.NextGuid(), scheduledTime, destinationAddress, message);
    }

    /// <summary>Without a destination there is no entity to cancel on: nothing to do (as in MassTransit's own package).</summary>
    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken)
    {
        var endpoint = await _sendEndpointProvider.GetSendEndpoint(destinationAddress).ConfigureAwait(false);
        await endpoint.Send<CancelScheduledMessage>(new { InVar.CorrelationId, InVar.Timestamp, TokenId = tokenId }, cancellationToken)
            .ConfigureAwait(false);
    }
}

/// <summary>A scheduled message's sequence number, carried in a token id (the last 8 bytes mark it as ours).</summary>
internal static class ScheduledSequenceNumber
{
    static readonly byte[] Tag = new Guid("5b1c7e2a-9d40-4f38-b6a1-3e0d8c27f419").ToByteArray()[8..];

    public static Guid ToTokenId(long sequenceNumber)
    {
        var bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), sequenceNumber);
        Tag.CopyTo(bytes, 8);
        return new Guid(bytes);
    }

    public static bool TryRead(Guid tokenId, out long sequenceNumber)
    {
        var bytes = tokenId.ToByteArray();
        if (bytes.AsSpan(8).SequenceEqual(Tag))
        {
            sequenceNumber = BitConverter.ToInt64(bytes, 0);
            return true;
        }
        sequenceNumber = 0;
        return false;
    }
}

internal sealed class ServiceBusMessageSchedulerSpecification : IPipeSpecification<ConsumeContext>
{
    public void Apply(IPipeBuilder<ConsumeContext> builder) => builder.AddFilter(new ServiceBusMessageSchedulerFilter());

    public IEnumerable<ValidationResult> Validate() => [];
}

/// <summary>Gives consumers an <see cref="IMessageScheduler"/> that schedules through Service Bus.</summary>
internal sealed class ServiceBusMessageSchedulerFilter : IFilter<ConsumeContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("serviceBusScheduler");

    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        context.GetOrAddPayload<MessageSchedulerContext>(() => new ConsumeMessageSchedulerContext(context, Create));
        return next.Send(context);
    }

    static IMessageScheduler Create(ConsumeContext context) =>
        new MessageScheduler(new ServiceBusScheduleMessageProvider(context), context.GetPayload<IBusTopology>());
}

internal static class ServiceBusMessageSchedulerRegistration
{
    public static void Add(IBusRegistrationConfigurator configurator) =>
        configurator.TryAddScoped<IMessageScheduler>(provider =>
            new MessageScheduler(new ServiceBusScheduleMessageProvider(provider.GetRequiredService<ISendEndpointProvider>()),
                provider.GetRequiredService<IBus>().Topology));
}
