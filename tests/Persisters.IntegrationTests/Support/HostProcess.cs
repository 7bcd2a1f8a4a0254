using System.Diagnostics;
using System.Net;

namespace Persisters.IntegrationTests.Support;

/// <summary>The real service executable in its own process, configured through environment variables.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly CapturedProcess _process;

    private HostProcess(CapturedProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }
    public int ProcessId => _process.Process.Id;
    public bool HasExited => _process.Process.HasExited;
    public string Output => _process.Output;

    /// <summary>The repository this test assembly was built in (tests/X/bin/CONFIGURATION/FRAMEWORK).</summary>
    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory.TrimEnd('/'), "..", "..", "..", "..", ".."));

    /// <summary>
    /// The built host next to this test assembly's configuration (Debug or Release), or the one PERSISTERS_TEST_HOST_DLL names
    /// (to measure another build, e.g. an older commit's, with the same tests).
    /// </summary>
    public static string HostDll
    {
        get
        {
            if (Environment.GetEnvironmentVariable("PERSISTERS_TEST_HOST_DLL") is { Length: > 0 } other) return other;
            var testBin = AppContext.BaseDirectory.TrimEnd('/');
            var framework = Path.GetFileName(testBin);
            var configuration = Path.GetFileName(Path.GetDirectoryName(testBin)!);
            var dll = Path.Combine(RepositoryRoot, "src", "Host", "bin", configuration, framework, "persisters.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first: the host is missing.", dll);
        }
    }

    public static HostProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) => Start(environment, null, args);

    /// <summary>Starts the host inside <paramref name="cgroup"/> when one is given (from its first instruction, as in a container).</summary>
    public static HostProcess Start(IReadOnlyDictionary<string, string> environment, Persisters.Bench.Shared.MemoryCgroup? cgroup, params string[] args)
    {
        var port = CapturedProcess.FreePort();
        var info = cgroup?.Wrap("dotnet", [HostDll, .. args]) ?? new ProcessStartInfo("dotnet", [HostDll, .. args]);
        info.RedirectStandardInput = true;
        info.Environment["Urls"] = $"http://127.0.0.1:{port}";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in environment) info.Environment[k] = v;
        return new HostProcess(new CapturedProcess(info).Start(), port);
    }

    /// <summary>Runs a verb to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        await using var host = Start(environment, args);
        using var cts = new CancellationTokenSource(timeout);
        await host._process.Process.WaitForExitAsync(cts.Token);
        host._process.Process.WaitForExit();
        return (host._process.Process.ExitCode, host.Output);
    }

    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (HasExited) throw new InvalidOperationException($"The host exited with {_process.Process.ExitCode}:\n{Output}");
            try
            {
                var response = await http.GetAsync($"http://127.0.0.1:{Port}/health/ready");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The host was not ready within {timeout}:\n{Output}");
    }

    public async Task<string> GetAsync(string path)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{Port}{path}");
    }

    /// <summary>SIGTERM, then waits for a graceful exit (SIGKILL after <paramref name="patience"/>).</summary>
    public async Task StopAsync(TimeSpan? patience = null)
    {
        if (HasExited) return;
        _ = _process.Signal(CapturedProcess.SigTerm);
        using var cts = new CancellationTokenSource(patience ?? TimeSpan.FromSeconds(60));
        try
        {
            await _process.Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    /// <summary>SIGKILL: no shutdown, no flush, no ack of what is in flight.</summary>
    public void Kill()
    {
        _process.Process.Kill(entireProcessTree: true);
        _process.Process.WaitForExit();
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
