using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Xunit.Abstractions;

namespace Persisters.Scheduling.Tests.Integration;

/// <summary>One TestHost process.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITestOutputHelper _log;

    private HostProcess(string name, Process process, ITestOutputHelper log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    public string Name { get; }
    public bool HasExited => _process.HasExited;

    public static string TestHostDll()
    {
        // …/tests/Persisters.Scheduling.Tests/bin/<Configuration>/<tfm>/ → …/tests/Persisters.Scheduling.TestHost/bin/<Configuration>/<tfm>/
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = baseDir.Name;
        var configuration = baseDir.Parent!.Name;
        var tests = baseDir.Parent.Parent!.Parent!.Parent!.FullName;
        var dll = Path.Combine(tests, "Persisters.Scheduling.TestHost", "bin", configuration, tfm, "Persisters.Scheduling.TestHost.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"TestHost not built at {dll} (it is built by the test project's ProjectReference)", dll);
        return dll;
    }

    public static HostProcess Start(string name, ITestOutputHelper log, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(TestHostDll());
        info.ArgumentList.Add("--name");
        info.ArgumentList.Add(name);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new HostProcess(name, process, log);
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data, false);
        process.ErrorDataReceived += (_, e) => host.OnLine(e.Data, true);
        process.Exited += (_, _) => host._ready.TrySetException(new InvalidOperationException($"{name} exited with {process.ExitCode}:\n{host.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    private void OnLine(string? line, bool error)
    {
        if (line == null)
            return;
        lock (_output)
            _output.AppendLine(line);
        if (!error && line.StartsWith("READY", StringComparison.Ordinal))
            _ready.TrySetResult();
    }

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public async Task WaitReady(TimeSpan timeout)
    {
        var finished = await Task.WhenAny(_ready.Task, Task.Delay(timeout));
        if (finished != _ready.Task)
            throw new TimeoutException($"{Name} not ready after {timeout}:\n{Output}");
        await _ready.Task;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM: the host stops its bus and Quartz gracefully.</summary>
    public async Task Stop(TimeSpan timeout)
    {
        if (_process.HasExited)
            return;
        _ = SysKill(_process.Id, 15);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{Name} did not stop within {timeout}:\n{Output}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    public ValueTask DisposeAsync()
    {
        try
        {
            Kill();
            _log.WriteLine($"--- {Name} output ---\n{Output}");
        }
        catch (Exception)
        {
            // best effort
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
