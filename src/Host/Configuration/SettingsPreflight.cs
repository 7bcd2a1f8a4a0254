using System.Globalization;
using MassTransit;
using Persisters.Consumers;
using Persisters.Consumers.Calculator;
using Persisters.Sagas;

namespace Persisters.Host.Configuration;

/// <summary>
/// Checks, before anything is built, the settings that the framework and the configuration binder read later on their own,
/// so that a bad one stops the process with exit code 2 and its name instead of an exception trace from wherever it is first read;
/// and applies the shutdown timeout.
/// </summary>
public static class SettingsPreflight
{
    /// <summary>The .NET host's own setting (<see cref="HostOptions.ShutdownTimeout"/>), whole seconds.</summary>
    public const string ShutdownTimeoutKey = "ShutdownTimeoutSeconds";

    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <exception cref="SettingsException">The first bad setting, named by its path.</exception>
    public static void Check(IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        // A graceful stop (SIGTERM, Ctrl+C) lets batches in flight finish, then stops the bus and the scheduler, all within this.
        var shutdown = ShutdownTimeout(configuration);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdown);
        builder.Services.PostConfigure<MassTransitHostOptions>(o =>
        {
            o.StopTimeout = shutdown;
            // MassTransit refuses a consumer stop timeout longer than the stop timeout; a short shutdown shortens both.
            if (o.ConsumerStopTimeout is { } consumerStop && consumerStop > shutdown) o.ConsumerStopTimeout = shutdown;
        });
        EnumeratedSettings.CheckFrameworkSettings(configuration);
        // Persisters first: the experiment lifecycle copies its LateEventTail, and the message should name the setting that was set.
        var persisters = Bind<PersisterOptions>(configuration, PersisterOptions.SectionName);
        if (new PersisterOptionsValidator().Validate(null, persisters) is { Failed: true } invalid) throw new SettingsException(string.Join(" ", invalid.Failures!));
        Bind<CalculatorOptions>(configuration, CalculatorOptions.SectionName);
        Bind<ExperimentLifecycleOptions>(configuration, ExperimentLifecycleOptions.SectionName);
    }

    /// <summary><see cref="ShutdownTimeoutKey"/>: whole seconds from 1 to 3600, 30 when unset.</summary>
    public static TimeSpan ShutdownTimeout(IConfiguration configuration) =>
        configuration[ShutdownTimeoutKey] switch
        {
            null or "" => DefaultShutdownTimeout,
            var text when int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 3600 =>
                TimeSpan.FromSeconds(seconds),
            var text => throw new SettingsException($"{ShutdownTimeoutKey} '{text}' must be whole seconds from 1 to 3600 (environment: {ShutdownTimeoutKey}).")
        };

    /// <summary>Binds a section the way the options system will, turning the binder's conversion failure into a settings error.</summary>
    private static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        try
        {
            var options = new T();
            configuration.GetSection(section).Bind(options);
            return options;
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the path and the value: "Failed to convert configuration value 'abc' at 'Persisters:Batch:MessageLimit' to type 'System.Int32'."
            throw new SettingsException(ex.Message);
        }
    }
}
