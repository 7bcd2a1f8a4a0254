using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Persisters.Host.Configuration;
using Persisters.Host.Hosting;
using Persisters.Host.Ingest;
using Persisters.Persistence;

namespace Persisters.Host.Cli;

/// <summary>The <c>run</c> (default) and <c>migrate</c> verbs.</summary>
public static class ServiceCommand
{
    /// <summary>Kept for the life of the process (a collected registration would unregister).</summary>
    private static SignalRegistrations? Signals { get; set; }

    /// <summary><c>run</c>: the service (also what the root command does with no verb).</summary>
    public static Command Run()
    {
        var run = HostArguments.AllowOn(new Command("run", "Run the service (the default): persisters, health and metrics endpoints. Host settings may follow: --urls URL, --Section:Key=value."));
        run.SetAction(Action);
        return run;
    }

    /// <summary>What <c>run</c> and the root command do.</summary>
    public static Task<int> Action(ParseResult p, CancellationToken ct) => PersistersCommandLine.Guard(() => RunAsync(HostArguments.Of(p)));

    /// <summary><c>migrate</c>: create or upgrade the schema, then exit.</summary>
    public static Command Migrate()
    {
        var migrate = HostArguments.AllowOn(new Command("migrate", "Create or upgrade the database schema, then exit."));
        migrate.SetAction((p, ct) => PersistersCommandLine.Guard(() => MigrateAsync(HostArguments.Of(p), ct)));
        return migrate;
    }

    /// <summary>
    /// Runs the service until SIGTERM or Ctrl+C, then stops it gracefully: batches in flight finish, the bus and the scheduler
    /// stop, all within the host's shutdown timeout (<c>ShutdownTimeoutSeconds</c>, 30 s); then exit code 0.
    /// </summary>
    /// <param name="hostArgs">Host configuration from the command line (<see cref="HostArguments"/>).</param>
    public static async Task<int> RunAsync(string[] hostArgs)
    {
        // Every SIGTERM, SIGINT and SIGQUIT, for the rest of the process, asks for the one graceful stop (the host's own handlers
        // come and go with the host): a second signal, or one during start, disposal or exit, neither kills the process nor throws.
        IHostApplicationLifetime? lifetime = null;
        var signals = Signals = new SignalRegistrations(() => Volatile.Read(ref lifetime)?.StopApplication());
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = hostArgs, ContentRootPath = AppContext.BaseDirectory });
        await using var app = Compose(builder, out var settings, b => ListenAddressPreflight.Check(b.Configuration));
        lifetime = app.Lifetime;
        if (signals.Received) lifetime.StopApplication();
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
        try
        {
            await app.RunAsync();
        }
        catch (Exception ex) when (ex is AddressInUseException || ex.InnerException is AddressInUseException)
        {
            // Kestrel binds after the bus started; the host has stopped again. One line, as for any other bad setting.
            throw new SettingsException($"Urls: cannot listen ({ex.Message}). Choose a free address with --urls http://127.0.0.1:PORT (environment: Urls).");
        }
        Volatile.Write(ref lifetime, null); // the host is done: later signals change nothing
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

    /// <summary>
    /// The service's web application from <paramref name="builder"/>: settings (checked; a bad one throws <see cref="Configuration.SettingsException"/>),
    /// persisters, bus, health, metrics and the HTTP front door. Not started, not migrated.
    /// </summary>
    /// <param name="preflight">Checks that need the settings but must run before anything starts (the listen address).</param>
    public static WebApplication Compose(WebApplicationBuilder builder, out PersistersSettings settings, Action<WebApplicationBuilder>? preflight = null)
    {
        settings = builder.AddPersistersSettings();
        preflight?.Invoke(builder);
        builder.AddPersistersServices(settings, withPersisters: true);
        builder.AddServiceDefaults();
        builder.Services.AddPersistersIngest();
        var app = builder.Build();
        try
        {
            app.Services.ValidatePersisterOptions();
            app.Services.ValidateIngestOptions();
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }
        app.MapPersistersEndpoints();
        app.MapPersistersIngest();
        return app;
    }

    public static async Task<int> MigrateAsync(string[] hostArgs, CancellationToken ct)
    {
        var builder = VerbHost.CreateBuilder(hostArgs, LogLevel.Information);
        // The migrations' own progress stays at Information; EF Core's every SQL statement does not.
        builder.Logging.AddFilter<ConsoleLoggerProvider>(DbLoggerCategory.Database.Command.Name, LogLevel.Warning);
        var settings = builder.AddPersistersSettings();
        builder.Services.AddPersistersDatabase(settings.Database);
        using var host = builder.Build();
        await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
        return 0;
    }
}

/// <summary>Handles the termination signals while it is referenced: each one calls the stop action instead of ending the process.</summary>
internal sealed class SignalRegistrations
{
    // Held, never read: a registration that is collected stops handling its signal.
    private readonly PosixSignalRegistration[] _registrations;
    private volatile bool _received;

    public SignalRegistrations(Action stop) =>
        _registrations = [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT }.Select(signal => PosixSignalRegistration.Create(signal, context =>
        {
            context.Cancel = true;
            _received = true;
            try
            {
                stop();
            }
            catch (ObjectDisposedException)
            {
                // The host was disposed between the check and the call: it has stopped already.
            }
        }))];

    /// <summary>A signal came (perhaps before there was anything to stop).</summary>
    public bool Received => _received;
}
