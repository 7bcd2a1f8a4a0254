using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Persisters.IntegrationTests.Support;

namespace Persisters.IntegrationTests.Chaos;

/// <summary>The chaos tests share one private set of servers; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ChaosCollection : ICollectionFixture<ChaosServers>
{
    public const string Name = "chaos";
}

/// <summary>
/// A private MariaDB and RabbitMQ for the chaos tests, which stop and restart them: started by <c>scripts/services.sh</c>
/// from a data directory of their own (<c>PERSISTERS_SERVERS_DIR</c>) on free ports, so the shared test servers (which other
/// test assemblies use at the same time) are never touched. Stopped and deleted when the collection ends.
/// </summary>
public sealed class ChaosServers : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "persisters-chaos-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly int _rabbitMqPort = FreePort(distribution: true);
    private readonly int _mysqlPort = FreePort();
    private readonly int _managementPort = FreePort();

    public ServerEndpoints Endpoints => new($"Server=127.0.0.1;Port={_mysqlPort};User ID=persisters;Password=persisters", "127.0.0.1", (ushort)_rabbitMqPort,
        new Uri($"http://127.0.0.1:{_managementPort}/"));

    public Task InitializeAsync() => ServicesAsync("up", "mariadb", "rabbitmq");

    public async Task DisposeAsync()
    {
        await ServicesAsync("down", "mariadb", "rabbitmq");
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Stops MariaDB (SIGTERM, as <c>services.sh down</c> does).</summary>
    public Task StopDatabaseAsync() => ServicesAsync("down", "mariadb");

    /// <summary>Starts MariaDB again on its data directory and waits until it answers.</summary>
    public Task StartDatabaseAsync() => ServicesAsync("up", "mariadb");

    public Task StopBrokerAsync() => ServicesAsync("down", "rabbitmq");

    public Task StartBrokerAsync() => ServicesAsync("up", "rabbitmq");

    private async Task ServicesAsync(params string[] args)
    {
        var script = Path.Combine(ReadmeTables.RepositoryRoot, "scripts", "services.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["PERSISTERS_SERVERS_DIR"] = _directory;
        info.Environment["PERSISTERS_MYSQL_PORT"] = _mysqlPort.ToString();
        info.Environment["PERSISTERS_RABBITMQ_PORT"] = _rabbitMqPort.ToString();
        info.Environment["PERSISTERS_RABBITMQ_MGMT_PORT"] = _managementPort.ToString();
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/services.sh {string.Join(' ', args)} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
    }

    /// <summary>
    /// A free loopback port below the kernel's ephemeral range (<c>/proc/sys/net/ipv4/ip_local_port_range</c>), so that no
    /// outgoing connection on the machine can take it while its server is stopped and before it starts again; with
    /// <paramref name="distribution"/> also port + 20000 (RabbitMQ's Erlang distribution), in [10000, 12767] and [30000, 32767]
    /// when the range starts at 32768; other ports in [13000, 20000).
    /// </summary>
    /// <exception cref="InvalidOperationException">No free port (pair) after 200 tries.</exception>
    private static int FreePort(bool distribution = false)
    {
        // A range starting below 32768 leaves no room for the pair below it: then this is best effort.
        var ephemeralLow = Math.Max(32_768, EphemeralRangeStart());
        for (var attempt = 0; ; attempt++)
        {
            var port = distribution
                ? Random.Shared.Next(10_000, Math.Min(13_000, ephemeralLow - 20_000))
                : Random.Shared.Next(13_000, Math.Min(20_000, ephemeralLow));
            if (IsFree(port) && (!distribution || IsFree(port + 20_000)))
                return port;
            if (attempt > 200) throw new InvalidOperationException("No free port below the ephemeral range for the chaos servers.");
        }
    }

    /// <summary>The first port of the kernel's ephemeral range (Linux's default 32768 when it cannot be read).</summary>
    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 32_768;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            Bound(port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int Bound(int port)
    {
        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
