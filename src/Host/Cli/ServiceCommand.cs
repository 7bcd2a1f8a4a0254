using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Persisters.Host.Hosting;
using Persisters.Persistence;

namespace Persisters.Host.Cli;

/// <summary>The <c>run</c> (default) and <c>migrate</c> verbs.</summary>
public static class ServiceCommand
{
    /// <summary>
    /// Runs the service until SIGTERM or Ctrl+C, then stops it gracefully: batches in flight finish, the bus and the scheduler
    /// stop, all within the host's shutdown timeout (<c>ShutdownTimeoutSeconds</c>, 30 s); then exit code 0.
    /// </summary>
    /// <param name="hostArgs">Host configuration from the command line (<see cref="HostArguments"/>).</param>
    public static async Task<int> RunAsync(string[] hostArgs)
    {
        // Every SIGTERM, SIGINT and SIGQUIT until this method returns asks for the one graceful stop (the host's own handlers come
        // and go with the host): a second signal, or one during start or disposal, neither kills the process nor throws.
        IHostApplicationLifetime? lifetime = null;
        using var signals = new SignalRegistrations(() => lifetime?.StopApplication());
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = hostArgs, ContentRootPath = AppContext.BaseDirectory });
        var settings = builder.AddPersistersSettings();
        builder.AddPersistersServices(settings, withPersisters: true);
        builder.AddPersistersHealth();
        await using var app = builder.Build();
        lifetime = app.Lifetime;
        if (signals.Received) lifetime.StopApplication();
        app.Services.ValidatePersisterOptions();
        app.MapPersistersEndpoints();
        await app.Services.MigrateIfConfiguredAsync(app.Lifetime.ApplicationStopping);
        app.Logger.LogInformation("Persisters starting: transport {Transport}, database {Provider}, scheduler store {SchedulerStore}",
            settings.Transport.Kind, settings.Database.Provider, settings.Scheduler.Store);

        var shutdownTimeout = app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
        var stopping = new Stopwatch();
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            stopping.Start();
            app.Logger.LogInformation("Persisters stopping: batches in flight finish, then the bus and the scheduler stop (shutdown timeout {ShutdownTimeout})",
                shutdownTimeout);
        });
        await app.RunAsync();
        if (stopping.Elapsed < shutdownTimeout)
        {
            app.Logger.LogInformation("Persisters stopped gracefully in {Elapsed:0.0} s", stopping.Elapsed.TotalSeconds);
        }
        else
        {
            app.Logger.LogWarning("Persisters stopped after the shutdown timeout {ShutdownTimeout}: work still in flight was cut short (it is redelivered)",
                shutdownTimeout);
        }
        return 0;
    }

    public static async Task<int> MigrateAsync(string[] hostArgs, CancellationToken ct)
    {
        var builder = VerbHost.CreateBuilder(hostArgs, LogLevel.Information);
        var settings = builder.AddPersistersSettings();
        builder.Services.AddPersistersDatabase(settings.Database);
        using var host = builder.Build();
        await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
        return 0;
    }
}

/// <summary>Handles the termination signals for as long as it lives: each one calls the stop action instead of ending the process.</summary>
internal sealed class SignalRegistrations : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;
    private volatile bool _received;

    public SignalRegistrations(Action stop) =>
        _registrations = [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT }.Select(signal => PosixSignalRegistration.Create(signal, context =>
        {
            context.Cancel = true;
            _received = true;
            stop();
        }))];

    /// <summary>A signal came (perhaps before there was anything to stop).</summary>
    public bool Received => _received;

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }
}
