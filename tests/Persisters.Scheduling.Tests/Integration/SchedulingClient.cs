using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Persisters.Scheduling.Tests.Integration;

/// <summary>A MassTransit client on RabbitMQ that schedules through the hosts' scheduler queue (no scheduler of its own).</summary>
public sealed class SchedulingClient : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private SchedulingClient(ServiceProvider provider)
    {
        _provider = provider;
    }

    public static async Task<SchedulingClient> Start(string schedulerQueue)
    {
        var services = new ServiceCollection();
        services.AddMassTransit(x =>
        {
            x.AddMessageScheduler(new Uri($"queue:{schedulerQueue}"));
            x.UsingRabbitMq((_, cfg) =>
            {
                cfg.Host(TestServers.RabbitMqHost, TestServers.RabbitMqPort, "/", h =>
                {
                    h.Username("guest");
                    h.Password("guest");
                });
            });
        });
        var provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<IBusControl>().StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        }
        catch (Exception ex)
        {
            await provider.DisposeAsync();
            throw new InvalidOperationException($"RabbitMQ at {TestServers.RabbitMqHost}:{TestServers.RabbitMqPort} is unreachable: {ex.Message}", ex);
        }

        return new SchedulingClient(provider);
    }

    public IMessageScheduler Scheduler => _provider.CreateScope().ServiceProvider.GetRequiredService<IMessageScheduler>();

    public IRecurringMessageScheduler RecurringScheduler => _provider.CreateScope().ServiceProvider.GetRequiredService<IRecurringMessageScheduler>();

    public async ValueTask DisposeAsync()
    {
        await _provider.GetRequiredService<IBusControl>().StopAsync();
        await _provider.DisposeAsync();
    }
}
