using System.Diagnostics;
using Xunit.Abstractions;

namespace Persisters.Scheduling.Tests.Integration;

/// <summary>One TestHost process.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly CapturedProcess _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITestOutputHelper _log;

    private HostProcess(string name, ProcessStartInfo info, ITestOutputHelper log)
    {
        Name = name;
        _process = new CapturedProcess(info);
        _log = log;
        _process.LineReceived += OnLine;
        _process.Process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException($"{name} exited with {_process.Process.ExitCode}:\n{Output}"));
    }

    public string Name { get; }
    public bool HasExited => _process.Process.HasExited;

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
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true };
        info.ArgumentList.Add(TestHostDll());
        info.ArgumentList.Add("--name");
        info.ArgumentList.Add(name);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);

        var host = new HostProcess(name, info, log);
        host._process.Start();
        return host;
    }

    private void OnLine(string line, bool standardOutput)
    {
        if (standardOutput && line.StartsWith("READY", StringComparison.Ordinal))
            _ready.TrySetResult();
    }

    public string Output => _process.Output;

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
        if (!_process.Process.HasExited)
            _process.Process.Kill(entireProcessTree: false);
        _process.Process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM: the host stops its bus and Quartz gracefully.</summary>
    public async Task Stop(TimeSpan timeout)
    {
        if (_process.Process.HasExited)
            return;
        _ = _process.Signal(CapturedProcess.SigTerm);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{Name} did not stop within {timeout}:\n{Output}");
        }
    }

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

        _process.Process.Dispose();
        return ValueTask.CompletedTask;
    }
}
