using System.Diagnostics;

namespace Persisters.Tests.Shared;

/// <summary>Runs a program other than the host (node, bash) to its end, for tests that drive real clients; linked into each test project.</summary>
public static class ChildProcess
{
    /// <summary>Runs <paramref name="file"/> in <paramref name="directory"/> with extra environment variables; kills it after <paramref name="patience"/>.</summary>
    /// <returns>The exit code and standard output followed by standard error.</returns>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, string directory, IReadOnlyDictionary<string, string> environment,
        TimeSpan patience, params string[] args)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not end within {patience}: {await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
