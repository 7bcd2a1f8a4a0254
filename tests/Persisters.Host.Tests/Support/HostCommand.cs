using System.Diagnostics;
using System.Net;

namespace Persisters.Tests.Support;

/// <summary>
/// The built <c>persisters</c> executable (next to this test assembly) in its own process, on the embedded default unless the
/// environment says otherwise: its own SQLite file, the in-memory transport, a free port.
/// </summary>
public sealed class HostCommand : IAsyncDisposable
{
    /// <summary>An upper bound on waiting for a process, never a measurement.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private readonly CapturedProcess _process;
    private readonly string _directory;

    private HostCommand(CapturedProcess process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }
    public int ProcessId => _process.Process.Id;
    public string Output => _process.Output;

    /// <summary>Standard output alone (<see cref="Output"/> has both streams).</summary>
    public string StandardOutput => _process.StandardOutput;

    /// <summary>Starts <c>dotnet persisters.dll ARGS</c>; <paramref name="environment"/> adds to (or, with null, removes from) the embedded default.</summary>
    public static HostCommand Start(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var directory = Directory.CreateTempSubdirectory("persisters-host-").FullName;
        var port = CapturedProcess.FreePort();
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = directory };
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
        return new HostCommand(new CapturedProcess(info).Start(), directory, port);
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
            await _process.Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The host did not exit within {Patience}:\n{Output}");
        }
        _process.Process.WaitForExit(); // the output is complete
        return _process.Process.ExitCode;
    }

    public async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.Process.HasExited) throw new InvalidOperationException($"The host exited with {_process.Process.ExitCode}:\n{Output}");
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

    /// <summary>Sends a POSIX signal, as a container runtime (<see cref="CapturedProcess.SigTerm" />) or a terminal (<see cref="CapturedProcess.SigInt" />) does.</summary>
    /// <exception cref="InvalidOperationException"><c>kill(2)</c> failed; the message names its errno.</exception>
    public void Signal(int signal)
    {
        var errno = _process.Signal(signal);
        if (errno != 0) throw new InvalidOperationException($"kill({ProcessId}, {signal}) failed: errno {errno}");
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
