using System.Net;
using System.Net.Sockets;

namespace Persisters.Host.Configuration;

/// <summary>
/// Checks, before the bus starts, that the service can listen on every address of <c>Urls</c> (ASP.NET Core's setting,
/// <c>http://127.0.0.1:5080</c> by default), so an address already in use stops the start with one line naming the setting
/// instead of a started-then-stopped host and its traces. Kestrel's own bind stays the authority: a port taken between this
/// check and the bind is reported the same way by the caller.
/// </summary>
public static class ListenAddressPreflight
{
    /// <exception cref="SettingsException">An address of <c>Urls</c> is in use or cannot be listened on.</exception>
    public static void Check(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        if (string.IsNullOrWhiteSpace(urls)) return;
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Wildcard hosts ('*', '+') bind every interface; other names than localhost are left to Kestrel.
            var normalized = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalized, UriKind.Absolute, out var uri) || uri.Port <= 0) continue;
            IPAddress? address = uri.Host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : null;
            if (address is null) continue;
            var probe = new TcpListener(address, uri.Port);
            try
            {
                probe.Start();
            }
            catch (SocketException ex)
            {
                throw new SettingsException(
                    $"Urls: cannot listen on {url} ({ex.Message}). Choose a free address with --urls http://127.0.0.1:PORT (environment: Urls).");
            }
            finally
            {
                probe.Stop();
            }
        }
    }
}
