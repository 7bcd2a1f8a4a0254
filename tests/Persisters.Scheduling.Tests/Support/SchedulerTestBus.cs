using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Persisters.Scheduling.Tests;

/// <summary>A test-harness bus on the in-memory transport with the durable scheduler.</summary>
public sealed class SchedulerTestBus : IAsyncDisposable
{
    private SchedulerTestBus(ServiceProvider provider, CollectingLoggerProvider logs)
    {
        Provider = provider;
        Logs = logs;
        Harness = provider.GetRequiredService<ITestHarness>();
    }

    public ServiceProvider Provider { get; }
    public CollectingLoggerProvider Logs { get; }
    public ITestHarness Harness { get; }
    public DurableSchedulerHost Host => Provider.GetRequiredService<DurableSchedulerHost>();

    public static async Task<SchedulerTestBus> Start(ITestOutputHelper? output, SchedulerOptions? options = null,
        Action<IBusRegistrationConfigurator>? configure = null,
        Action<IBusRegistrationContext, IInMemoryBusFactoryConfigurator>? configureBus = null,
        TimeSpan? testTimeout = null)
    {
        options ??= FastMemoryOptions();
        var logs = new CollectingLoggerProvider(output);
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        services.AddMassTransitTestHarness(x =>
        {
            x.SetTestTimeouts(testTimeout ?? TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(5));
            x.AddDurableMessageScheduler(options);
            configure?.Invoke(x);
            x.UsingInMemory((context, cfg) =>
            {
                cfg.UseDurableMessageScheduler(context);
                configureBus?.Invoke(context, cfg);
                cfg.ConfigureEndpoints(context);
            });
        });

        var provider = services.BuildServiceProvider(true);
        var bus = new SchedulerTestBus(provider, logs);
        await bus.Harness.Start();
        return bus;
    }

    public static SchedulerOptions FastMemoryOptions() => new()
    {
        Store = SchedulerStore.Memory,
        InstanceName = "test-" + Guid.NewGuid().ToString("N")[..8],
        IdleWaitTime = TimeSpan.FromSeconds(1),
        MisfireThreshold = TimeSpan.FromSeconds(2),
        SendRetryDelay = TimeSpan.FromMilliseconds(200),
        ThreadCount = 4,
        MaxBatchSize = 4,
    };

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Harness.Stop();
        }
        finally
        {
            await Provider.DisposeAsync();
        }
    }
}
