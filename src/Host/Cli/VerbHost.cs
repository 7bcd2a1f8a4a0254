using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Persisters.Host.Configuration;

namespace Persisters.Host.Cli;

/// <summary>The host of a verb that is not the service: no web server, its own lifetime, a clean stop however the verb ends.</summary>
public static class VerbHost
{
    /// <summary>How long a verb waits for its bus to reach the broker before it gives up (exit code 4).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A host builder without a web server (these verbs must not compete for the service's port), with the verb's host arguments.
    /// The console shows <paramref name="minimum"/> and above (a provider rule, so it outranks the category rules of
    /// appsettings.json), and nothing from MassTransit or the host's start below Critical: the verb reports a failed send or start
    /// itself, in one line.
    /// </summary>
    public static HostApplicationBuilder CreateBuilder(string[] hostArgs, LogLevel minimum)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = hostArgs, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddFilter<ConsoleLoggerProvider>(null, minimum);
        builder.Logging.AddFilter<ConsoleLoggerProvider>("MassTransit", LogLevel.Critical);
        builder.Logging.AddFilter<ConsoleLoggerProvider>("Microsoft.Extensions.Hosting", LogLevel.Critical); // "Hosting failed to start": the verb says why
        return builder;
    }

    /// <summary>
    /// Starts <paramref name="host"/> (within <paramref name="startTimeout"/>), runs <paramref name="work"/> with a token that Ctrl+C or
    /// SIGTERM (the host's lifetime) cancels, and always stops the host. A broker failure (refused send, unreachable broker)
    /// becomes a <see cref="SendRefusedException"/>.
    /// </summary>
    /// <param name="tooLarge">The verb's advice for a message over the broker's size limit, given its size and the limit.</param>
    public static async Task<int> RunAsync(IHost host, TransportKind transport, TimeSpan startTimeout, Func<CancellationToken, Task<int>> work, CancellationToken ct,
        Func<int, int, string>? tooLarge = null)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            using (var starting = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                starting.CancelAfter(startTimeout);
                try
                {
                    // WaitAsync: a bus whose transport retries for ever (an SQS endpoint that cannot be reached) ignores the token.
                    await host.StartAsync(starting.Token).WaitAsync(starting.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new SendRefusedException($"The broker ({transport}) could not be reached within {startTimeout.TotalSeconds:0.#} s: check the Transport settings.");
                }
            }
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
            return await work(stopping.Token);
        }
        catch (Exception ex) when (ex is not SettingsException && SendRefusedException.From(ex, transport, tooLarge) is { } refused)
        {
            throw refused;
        }
        finally
        {
            // The host stops within its shutdown timeout; a bus that never started may not notice, so the wait is bounded too.
            var shutdown = host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
            try
            {
                await host.StopAsync(CancellationToken.None).WaitAsync(shutdown + TimeSpan.FromSeconds(5));
            }
            catch (TimeoutException)
            {
            }
        }
    }
}
