using System.Collections.Concurrent;
using MassTransit.Testing;
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


    private sealed class Logger(CollectingLoggerProvider provider, string category) : ILogger
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

    private readonly ITestOutputHelper? _output = output;
}
