using Persisters.Host.Configuration;

namespace Persisters.Host.Cli;

/// <summary>The host of a verb that is not the service: no web server, its own lifetime, a clean stop however the verb ends.</summary>
public static class VerbHost
{
    /// <summary>A host builder without a web server (these verbs must not compete for the service's port), with the verb's host arguments.</summary>
    public static HostApplicationBuilder CreateBuilder(string[] hostArgs) =>
        Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = hostArgs, ContentRootPath = AppContext.BaseDirectory });

    /// <summary>
    /// Starts <paramref name="host"/>, runs <paramref name="work"/> with a token that Ctrl+C or SIGTERM (the host's lifetime) cancels,
    /// and always stops the host. A broker failure (refused send, unreachable broker) becomes a <see cref="SendRefusedException"/>.
    /// </summary>
    /// <param name="tooLarge">The verb's advice for a message over the broker's size limit, given its size and the limit.</param>
    public static async Task<int> RunAsync(IHost host, TransportKind transport, Func<CancellationToken, Task<int>> work, CancellationToken ct,
        Func<int, int, string>? tooLarge = null)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            await host.StartAsync(ct);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
            return await work(stopping.Token);
        }
        catch (Exception ex) when (ex is not SettingsException && SendRefusedException.From(ex, transport, tooLarge) is { } refused)
        {
            throw refused;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
