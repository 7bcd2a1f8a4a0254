using MassTransit;
using Microsoft.Extensions.Logging;

namespace Persisters.Scheduling;

/// <summary>Starts Quartz once the bus is ready and puts it in standby before the bus stops.</summary>
public sealed class DurableSchedulerBusObserver(DurableSchedulerHost host, ILogger<DurableSchedulerBusObserver>? logger = null) : IBusObserver
{
    public void PostCreate(IBus bus)
    {
    }

    public void CreateFaulted(Exception exception)
    {
    }

    public Task PreStart(IBus bus) => Task.CompletedTask;

    public async Task PostStart(IBus bus, Task<BusReady> busReady)
    {
        await busReady;
        try
        {
            await host.StartAsync();
        }
        catch (Exception ex)
        {
            // e.g. the qrtz_ tables are missing (run the migrations) or the database is unreachable
            logger?.LogCritical(ex, "The durable scheduler {Name} did not start: no scheduled message will be sent by this host",
                host.Options.InstanceName);
            throw;
        }
    }

    public Task StartFaulted(IBus bus, Exception exception) => Task.CompletedTask;

    public Task PreStop(IBus bus) => host.StandbyAsync();

    public Task PostStop(IBus bus) => host.StopAsync();

    public Task StopFaulted(IBus bus, Exception exception) => host.StopAsync();
}
