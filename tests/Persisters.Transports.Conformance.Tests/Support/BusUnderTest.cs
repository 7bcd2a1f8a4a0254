using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Persisters.Transports.Conformance.Tests.Transports;
using Xunit.Abstractions;

namespace Persisters.Transports.Conformance.Tests.Support;

/// <summary>A started MassTransit bus (with its own DI container) on a transport under test.</summary>
public sealed class BusUnderTest : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private bool _stopped;

    private BusUnderTest(ServiceProvider provider)
    {
        _provider = provider;
        Bus = provider.GetRequiredService<IBusControl>();
    }

    public IBusControl Bus { get; }
    public IServiceProvider Services => _provider;
    public IReceiveEndpointConnector Connector => _provider.GetRequiredService<IReceiveEndpointConnector>();

    public static async Task<BusUnderTest> StartAsync(ITransportUnderTest transport, ITestOutputHelper? output,
        Action<IBusRegistrationContext, IBusFactoryConfigurator>? configure = null, bool withScheduler = false)
    {
        var services = new ServiceCollection();
        services.AddLogging(l =>
        {
            l.SetMinimumLevel(LogLevel.Warning);
            if (output is not null) l.AddProvider(new TestOutputLoggerProvider(output));
        });
        services.AddMassTransit(x =>
        {
            if (withScheduler) transport.AddScheduler(x);
            transport.UseTransport(x, (context, cfg) =>
            {
                if (withScheduler) transport.UseScheduler(context, cfg);
                configure?.Invoke(context, cfg);
            });
        });
        var provider = services.BuildServiceProvider();
        var bus = new BusUnderTest(provider);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await bus.Bus.StartAsync(cts.Token);
        return bus;
    }

    public Task<ISendEndpoint> SendEndpoint(string queue) => Bus.GetSendEndpoint(new Uri($"queue:{queue}"));

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Bus.StopAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            await _provider.DisposeAsync();
        }
    }
}

/// <summary>Warnings and errors of the bus into the test's output (seen when a test fails).</summary>
public sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
            }
            catch (InvalidOperationException)
            {
                // The test already finished.
            }
        }
    }
}
