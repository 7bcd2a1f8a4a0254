using System.Diagnostics;

namespace Persisters.IntegrationTests.Support;

/// <summary>
/// A private instance of the repository's SQS-compatible server (<c>scripts/sqs-server/server.js</c>) on a free port, for a
/// test that runs with the documented defaults (no queue prefix): its queues are isolated by the server, not by a prefix.
/// Needs the server's npm packages, which <c>scripts/services.sh up sqs</c> installs; without them the test fails, never skips.
/// </summary>
public sealed class SqsServerProcess : IAsyncDisposable
{
    private readonly CapturedProcess _process;

    private SqsServerProcess(CapturedProcess process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public static async Task<SqsServerProcess> StartAsync()
    {
        var app = Path.Combine(HostProcess.RepositoryRoot, "scripts", "sqs-server");
        if (!Directory.Exists(Path.Combine(app, "node_modules", "local-aws-sqs")))
        {
            throw new InvalidOperationException($"The SQS server's npm packages are missing in {app}: run scripts/services.sh up sqs (it installs them).");
        }
        var port = CapturedProcess.FreePort();
        var info = new ProcessStartInfo("node") { WorkingDirectory = app };
        info.ArgumentList.Add(Path.Combine(app, "server.js"));
        info.ArgumentList.Add(port.ToString());
        var process = new CapturedProcess(info).Start();
        var server = new SqsServerProcess(process, $"http://127.0.0.1:{port}");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (process.Process.HasExited) throw new InvalidOperationException($"The SQS server exited with {process.Process.ExitCode}: {process.Output}");
            try
            {
                await http.GetAsync(server.Url); // any answer means it listens
                return server;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"The SQS server did not answer on {server.Url}: {process.Output}");
                await Task.Delay(100);
            }
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
