using Persisters.Tests.Support;

namespace Persisters.Tests.Hosting;

/// <summary>
/// Field report: <c>persisters run</c> on the embedded default, then <c>kill -TERM</c>: exit 143 exactly 2 s later (System.CommandLine's
/// default process-termination timeout), the log ending at "Application is shutting down", batches and the scheduler never
/// stopped; a second signal once threw. Right: the host's own graceful stop, bounded by its shutdown timeout, then exit 0.
/// </summary>
public sealed class When_the_service_is_stopped_by_a_signal
{
    private static void ShouldHaveStoppedGracefully(int exitCode, string output)
    {
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{output}");
        var stopping = output.IndexOf("Persisters stopping", StringComparison.Ordinal);
        var stopped = output.IndexOf("Persisters stopped gracefully", StringComparison.Ordinal);
        Assert.True(stopping >= 0 && stopped > stopping, $"the log does not show the graceful stop completing:\n{output}");
        foreach (var bad in new[] { "Unhandled exception", "crit:", "Exception:" })
        {
            Assert.False(output.Contains(bad, StringComparison.Ordinal), $"'{bad}' in the log:\n{output}");
        }
    }

    /// <summary>The embedded default exactly: no database setting (persisters.db in the working directory), the in-memory transport.</summary>
    private static readonly Dictionary<string, string?> EmbeddedDefault = new() { ["Database__ConnectionString"] = null, ["Transport__Kind"] = null };

    [Fact]
    public async Task SIGTERM_stops_the_service_gracefully_and_it_exits_0()
    {
        await using var host = HostCommand.Start(EmbeddedDefault, "run");
        await host.WaitUntilReadyAsync();

        host.Signal(CapturedProcess.SigTerm);

        ShouldHaveStoppedGracefully(await host.WaitForExitAsync(), host.Output);
        Assert.Contains("(shutdown timeout 00:00:30)", host.Output); // the default
        Assert.Contains("database Sqlite", host.Output);
        Assert.Contains("transport InMemory", host.Output);
    }

    [Fact]
    public async Task More_signals_during_the_stop_neither_kill_the_process_nor_throw()
    {
        await using var host = HostCommand.Start(EmbeddedDefault, "run");
        await host.WaitUntilReadyAsync();

        host.Signal(CapturedProcess.SigTerm);
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(10);
            try
            {
                host.Signal(i % 2 == 0 ? CapturedProcess.SigTerm : CapturedProcess.SigInt);
            }
            catch (InvalidOperationException)
            {
                break; // the process is gone (kill: no such process)
            }
        }

        ShouldHaveStoppedGracefully(await host.WaitForExitAsync(), host.Output);
    }

    /// <remarks>Timeouts below MassTransit's consumer stop timeout (15 s) once failed the bus's own options check at start.</remarks>
    [Theory]
    [InlineData(1, "00:00:01")]
    [InlineData(7, "00:00:07")]
    [InlineData(3600, "01:00:00")]
    public async Task The_shutdown_timeout_is_the_hosts_ShutdownTimeoutSeconds_setting(int seconds, string shown)
    {
        await using var host = HostCommand.Start(
            new Dictionary<string, string?> { ["ShutdownTimeoutSeconds"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) }, "run");
        await host.WaitUntilReadyAsync();

        host.Signal(CapturedProcess.SigTerm);

        ShouldHaveStoppedGracefully(await host.WaitForExitAsync(), host.Output);
        Assert.Contains($"(shutdown timeout {shown})", host.Output);
    }

    [Fact]
    public async Task An_address_already_in_use_stops_the_start_with_exit_code_2_and_one_line_naming_it()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var address = $"http://127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}";

        var (exit, output) = await HostCommand.RunAsync(new Dictionary<string, string?> { ["Urls"] = address }, "run");

        Assert.True(exit == 2, output);
        Assert.Contains($"Configuration error: Urls: cannot listen on {address}", output);
        Assert.Contains("--urls", output);
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("R-FAULT", output);
    }

    [Theory]
    [InlineData("30s")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("86400")]
    public async Task A_shutdown_timeout_that_is_not_whole_seconds_from_1_to_3600_stops_the_start_with_exit_code_2(string value)
    {
        var (exit, output) = await HostCommand.RunAsync(new Dictionary<string, string?> { ["ShutdownTimeoutSeconds"] = value }, "run");

        Assert.Equal(2, exit);
        Assert.Contains($"ShutdownTimeoutSeconds '{value}' must be whole seconds from 1 to 3600", output);
    }
}
