using System.Diagnostics;
using System.Threading.Channels;

namespace Persisters.Transports.Conformance.Tests.Support;

/// <summary>tests/Persisters.Transports.Conformance.Worker in its own process, configured through its environment.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly CapturedProcess _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();

    private WorkerProcess(ProcessStartInfo info)
    {
        _process = new CapturedProcess(info);
        _process.LineReceived += (line, standardOutput) =>
        {
            if (standardOutput) _lines.Writer.TryWrite(line);
        };
    }

    public string Output => _process.Output;
    public int Id => _process.Process.Id;

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
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true };
        info.ArgumentList.Add(WorkerDll);
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var worker = new WorkerProcess(info);
        worker._process.Start();
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
            throw new TimeoutException($"The worker printed no line starting with '{prefix}' within {timeout} (exited: {HasExited}):\n{Output}");
        }
    }

    /// <summary>SIGKILL: no shutdown, no ack of what is in flight.</summary>
    public void Kill()
    {
        _process.Process.Kill(entireProcessTree: true);
        _process.Process.WaitForExit();
    }

    public bool HasExited => _process.Process.HasExited;

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
