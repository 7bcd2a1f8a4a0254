using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Persisters.Scheduling;

public static class DurableSchedulerExtensions
{
    /// <summary>
    /// Registers the durable scheduler on the bus registration: the scheduler consumers (placed on their own endpoint by
    /// <see cref="UseDurableMessageScheduler" />, not by ConfigureEndpoints), <see cref="IMessageScheduler" /> and
    /// <see cref="IRecurringMessageScheduler" /> sending to <c>queue:{QueueName}</c>, the Quartz host, and a bus observer
    /// that starts Quartz after the bus is ready and stops it before the bus stops.
    /// </summary>
    public static IBusRegistrationConfigurator AddDurableMessageScheduler(this IBusRegistrationConfigurator configurator, SchedulerOptions options)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        configurator.TryAddSingleton(options);
        configurator.TryAddSingleton<DurableSchedulerHost>();
        configurator.AddBusObserver<DurableSchedulerBusObserver>();

        configurator.AddConsumer<ScheduleMessageConsumer>().ExcludeFromConfigureEndpoints();
        configurator.AddConsumer<CancelScheduledMessageConsumer>().ExcludeFromConfigureEndpoints();
        configurator.AddConsumer<PauseResumeScheduledMessageConsumer>().ExcludeFromConfigureEndpoints();

        // IMessageScheduler / IRecurringMessageScheduler for code outside a consumer (ScheduleSend from an API, the
        // calculator's recurring run, …). Inside consumers, UseMessageScheduler below supplies the scheduler.
        configurator.AddMessageScheduler(options.SchedulerAddress);

        return configurator;
    }

    /// <summary>
    /// Configures the bus: every consume context schedules through the scheduler queue (so ScheduleSend, state-machine
    /// Schedule/Unschedule and UseScheduledRedelivery use it, whatever the transport), and the scheduler endpoint itself
    /// is created with the scheduler consumers. Call it before ConfigureEndpoints.
    /// </summary>
    public static void UseDurableMessageScheduler(this IBusFactoryConfigurator configurator, IBusRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(configurator);
        ArgumentNullException.ThrowIfNull(context);

        var options = context.GetRequiredService<SchedulerOptions>();

        configurator.UseMessageScheduler(options.SchedulerAddress);

        configurator.ReceiveEndpoint(options.QueueName, e =>
        {
            e.PrefetchCount = options.PrefetchCount;
            e.ConcurrentMessageLimit = options.ConcurrentMessageLimit;

            // Database hiccups are retried a few times, then the request goes to the error queue; a rejected request
            // (it can never succeed) goes there at once.
            e.UseMessageRetry(r =>
            {
                r.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(400));
                r.Ignore<ScheduleRequestRejectedException>();
            });

            e.ConfigureConsumer<ScheduleMessageConsumer>(context);
            e.ConfigureConsumer<CancelScheduledMessageConsumer>(context);
            e.ConfigureConsumer<PauseResumeScheduledMessageConsumer>(context);
        });
    }
}
