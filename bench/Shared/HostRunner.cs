using System.Diagnostics;

namespace Persisters.Bench.Shared;

/// <summary>Runs the built <c>persisters</c> executable (src/Host, same configuration as the bench) as a separate process.</summary>
public sealed class HostRunner(IReadOnlyDictionary<string, string> environment, bool echo = true)
{
    /// <summary>The host next to this bench's build (bench/X/bin/Release/net10.0 → src/Host/bin/Release/net10.0).</summary>
    public static string HostDll()
    {
        var bin = AppContext.BaseDirectory.TrimEnd('/');
        var framework = Path.GetFileName(bin);
        var configuration = Path.GetFileName(Path.GetDirectoryName(bin)!);
        var dll = Path.GetFullPath(Path.Combine(bin, "..", "..", "..", "..", "..", "src", "Host", "bin", configuration, framework, "persisters.dll"));
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the host first (dotnet build -c Release)", dll);
    }

    /// <summary>Starts a long-running verb (normally <c>run</c>) on a free port; its output is echoed to stderr, prefixed.</summary>
    public (Process Process, int Port) Start(params string[] verb)
    {
        var port = FreePort();
        var info = Info(verb);
        info.Environment["Urls"] = $"http://127.0.0.1:{port}";
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, e) => { if (e.Data is not null && echo) Console.Error.WriteLine($"  host: {e.Data}"); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null && echo) Console.Error.WriteLine($"  host: {e.Data}"); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return (p, port);
    }

    /// <summary>Runs a verb (e.g. <c>migrate</c>) to its end; returns the exit code and the output.</summary>
    public async Task<(int ExitCode, string Output)> RunToEndAsync(params string[] verb)
    {
        using var p = Process.Start(Info(verb))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout + await stderr);
    }

    public static async Task WaitReadyAsync(int port, TimeSpan? timeout = null)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await client.GetAsync($"http://127.0.0.1:{port}/health/ready")).IsSuccessStatusCode) return;
            }
            catch (Exception)
            {
                // not up yet
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the host on port {port} was not ready in time");
    }

    public static async Task StopAsync(Process process)
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    private ProcessStartInfo Info(string[] verb)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(HostDll());
        foreach (var a in verb) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        return info;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
