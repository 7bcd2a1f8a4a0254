using System.Collections.Concurrent;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Persisters.Scheduling.Tests;

/// <summary>Collects log lines (for "rejected with a logged reason") and echoes warnings and errors to the test output.</summary>
public sealed class CollectingLoggerProvider(ITestOutputHelper? output) : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public bool Contains(LogLevel minimum, string text) =>
        Entries.Any(e => e.Level >= minimum && e.Message.Contains(text, StringComparison.OrdinalIgnoreCase));


    sealed class Logger(CollectingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
                return;
            var message = formatter(state, exception) + (exception != null ? " | " + exception.GetType().Name + ": " + exception.Message : "");
            provider.Entries.Enqueue((logLevel, category, message));
            if (logLevel >= LogLevel.Warning && category.StartsWith("Persisters", StringComparison.Ordinal))
            {
                try
                {
                    provider._output?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {message}");
                }
                catch (InvalidOperationException)
                {
                    // test already finished
                }
            }
        }
    }

    readonly ITestOutputHelper? _output = output;
}

/// <summary>A test-harness bus on the in-memory transport with the durable scheduler.</summary>
public sealed class SchedulerTestBus : IAsyncDisposable
{
    SchedulerTestBus(ServiceProvider provider, CollectingLoggerProvider logs)
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

public static class Wait
{
    /// <summary>Polls until <paramref name="condition" /> holds; false when the time runs out.</summary>
    public static async Task<bool> Until(Func<bool> condition, TimeSpan timeout, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
                return true;
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(50));
        }

        return condition();
    }

    public static async Task<bool> Until(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
                return true;
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100));
        }

        return await condition();
    }
}
