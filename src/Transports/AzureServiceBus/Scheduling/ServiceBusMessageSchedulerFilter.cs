using MassTransit;
using MassTransit.Context;
using MassTransit.Scheduling;

namespace Persisters.Transports.AzureServiceBus.Scheduling;

/// <summary>Gives consumers an <see cref="IMessageScheduler"/> that schedules through Service Bus.</summary>
internal sealed class ServiceBusMessageSchedulerFilter : IFilter<ConsumeContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("serviceBusScheduler");

    public Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        context.GetOrAddPayload<MessageSchedulerContext>(() => new ConsumeMessageSchedulerContext(context, Create));
        return next.Send(context);
    }

    private static IMessageScheduler Create(ConsumeContext context) =>
        new MessageScheduler(new ServiceBusScheduleMessageProvider(context), context.GetPayload<IBusTopology>());
}
