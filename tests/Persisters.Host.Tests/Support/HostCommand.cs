using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Persisters.Tests.Support;

/// <summary>
/// The built <c>persisters</c> executable (next to this test assembly) in its own process, on the embedded default unless the
/// environment says otherwise: its own SQLite file, the in-memory transport, a free port.
/// </summary>
public sealed class HostCommand : IAsyncDisposable
{
    /// <summary>An upper bound on waiting for a process, never a measurement.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _standardOutput = new();
    private readonly string _directory;

    private HostCommand(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }
    public int ProcessId => _process.Id;
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Standard output alone (<see cref="Output"/> has both streams).</summary>
    public string StandardOutput { get { lock (_output) return _standardOutput.ToString(); } }

    /// <summary>Starts <c>dotnet persisters.dll ARGS</c>; <paramref name="environment"/> adds to (or, with null, removes from) the embedded default.</summary>
    public static HostCommand Start(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("persisters-host-").FullName;
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "persisters.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["Urls"] = $"http://127.0.0.1:{port}";
        info.Environment["Database__ConnectionString"] = $"Data Source={Path.Combine(directory, "persisters.db")}";
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>())
        {
            if (v is null) info.Environment.Remove(k);
            else info.Environment[k] = v;
        }
        var process = new Process { StartInfo = info };
        var host = new HostCommand(process, directory, port);
        process.OutputDataReceived += (_, e) => host.Append(e.Data, standardOutput: true);
        process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Runs a verb to its end and returns its exit code and output (standard output and error together).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        await using var host = Start(environment, args);
        var exit = await host.WaitForExitAsync();
        return (exit, host.Output);
    }

    public async Task<int> WaitForExitAsync()
    {
        using var cts = new CancellationTokenSource(Patience);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The host did not exit within {Patience}:\n{Output}");
        }
        _process.WaitForExit(); // the output is complete
        return _process.ExitCode;
    }

    public async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The host exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{Port}/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The host was not ready within {Patience}:\n{Output}");
    }

    /// <summary>Sends a POSIX signal, as a container runtime (SIGTERM) or a terminal (SIGINT) does.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public const int SigInt = 2;
    public const int SigTerm = 15;

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in this project for one libc call
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Append(string? line, bool standardOutput = false)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            if (standardOutput) _standardOutput.AppendLine(line);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
