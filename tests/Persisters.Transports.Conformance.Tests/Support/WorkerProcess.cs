using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Persisters.Transports.Conformance.Tests.Support;

/// <summary>tests/Persisters.Transports.Conformance.Worker in its own process, configured through its environment.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    private WorkerProcess(Process process) => _process = process;

    public string Output { get { lock (_output) return _output.ToString(); } }
    public int Id => _process.Id;

    /// <summary>The worker built next to this test assembly's configuration (Debug or Release).</summary>
    public static string WorkerDll
    {
        get
        {
            var testBin = AppContext.BaseDirectory.TrimEnd('/');
            var framework = Path.GetFileName(testBin);
            var configuration = Path.GetFileName(Path.GetDirectoryName(testBin)!);
            var tests = Path.GetFullPath(Path.Combine(testBin, "..", "..", "..", ".."));
            var dll = Path.Combine(tests, "Persisters.Transports.Conformance.Worker", "bin", configuration, framework, "conformance-worker.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("The conformance worker is not built (it is built with the test project).", dll);
        }
    }

    public static WorkerProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        info.ArgumentList.Add(WorkerDll);
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var process = new Process { StartInfo = info };
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (worker._output) worker._output.AppendLine(e.Data);
            worker._lines.Writer.TryWrite(e.Data);
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (worker._output) worker._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>The next stdout line starting with <paramref name="prefix" /> (earlier other lines are skipped).</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(cts.Token);
                if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The worker printed no line starting with '{prefix}' within {timeout} (exited: {_process.HasExited}):\n{Output}");
        }
    }

    /// <summary>SIGKILL: no shutdown, no ack of what is in flight.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public bool HasExited => _process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
