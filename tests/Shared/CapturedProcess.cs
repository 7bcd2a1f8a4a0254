using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Persisters.Tests.Shared;

/// <summary>
/// A long-running child process (a built host, a worker, a local server) whose standard output and error are captured line
/// by line, for the test classes that start one (linked from tests/Shared; <c>ChildProcess.RunAsync</c> runs one to its end
/// instead). Create it, subscribe to <see cref="LineReceived" /> or <see cref="Process" />'s <c>Exited</c>, then
/// <see cref="Start" />. Disposing kills the whole process tree if it still runs and waits for it.
/// </summary>
public sealed class CapturedProcess : IAsyncDisposable
{
    /// <summary>SIGINT, as a terminal's Ctrl+C sends it.</summary>
    public const int SigInt = 2;

    /// <summary>SIGTERM, as a container runtime sends it to stop a container.</summary>
    public const int SigTerm = 15;

    private readonly StringBuilder _output = new();
    private readonly StringBuilder _standardOutput = new();

    /// <summary>Prepares (does not start) <paramref name="info" /> with both output streams redirected; other settings (input, environment) stay the caller's.</summary>
    public CapturedProcess(ProcessStartInfo info)
    {
        info.RedirectStandardOutput = info.RedirectStandardError = true;
        info.UseShellExecute = false;
        Process = new Process { StartInfo = info, EnableRaisingEvents = true };
        Process.OutputDataReceived += (_, e) => Record(e.Data, standardOutput: true);
        Process.ErrorDataReceived += (_, e) => Record(e.Data, standardOutput: false);
    }

    /// <summary>Each line the process writes, after it is in <see cref="Output" />: the line and whether it came on standard output (else standard error).</summary>
    public event Action<string, bool>? LineReceived;

    /// <summary>The process itself: its id, whether and how it exited, waiting for its exit.</summary>
    public Process Process { get; }

    /// <summary>Both streams so far, one line after another in the order they arrived.</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Standard output alone so far.</summary>
    public string StandardOutput { get { lock (_output) return _standardOutput.ToString(); } }

    /// <summary>Starts the process and the reading of both streams; returns this.</summary>
    public CapturedProcess Start()
    {
        Process.Start();
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
        return this;
    }

    /// <summary>Sends a POSIX signal (e.g. <see cref="SigTerm" />) to the process, not its children.</summary>
    /// <returns>0 when it was sent, else the <c>kill(2)</c> errno (e.g. 3, ESRCH: no such process).</returns>
    public int Signal(int signal) => Kill(Process.Id, signal) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago, for a child process to listen on.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
        Process.Dispose();
    }

    private void Record(string? line, bool standardOutput)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            if (standardOutput) _standardOutput.AppendLine(line);
        }
        LineReceived?.Invoke(line, standardOutput);
    }

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in the test projects for one libc call
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
