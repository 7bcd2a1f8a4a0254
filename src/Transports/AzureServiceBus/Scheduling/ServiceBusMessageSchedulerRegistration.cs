using MassTransit;
using MassTransit.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Persisters.Transports.AzureServiceBus.Scheduling;

internal static class ServiceBusMessageSchedulerRegistration
{
    public static void Add(IBusRegistrationConfigurator configurator) =>
        configurator.TryAddScoped<IMessageScheduler>(provider =>
            new MessageScheduler(new ServiceBusScheduleMessageProvider(provider.GetRequiredService<ISendEndpointProvider>()),
                provider.GetRequiredService<IBus>().Topology));
}
