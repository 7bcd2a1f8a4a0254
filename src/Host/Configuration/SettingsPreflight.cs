using System.Globalization;
using MassTransit;

namespace Persisters.Host.Configuration;

/// <summary>
/// The settings the framework reads on its own, checked before anything is built, so that a bad one stops the process with exit
/// code 2 and its name instead of an exception trace from wherever it is first read; and the shutdown timeout, applied to the host
/// and the bus. The application's own sections are read by <see cref="Settings"/>.
/// </summary>
public static class SettingsPreflight
{
    /// <summary>The .NET host's own setting (<see cref="HostOptions.ShutdownTimeout"/>), whole seconds.</summary>
    public const string ShutdownTimeoutKey = "ShutdownTimeoutSeconds";

    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a stopping receive endpoint waits for its consumers: a consumer whose channel closed (broker restart) waits for its
    /// deliveries before the endpoint reconnects, and a batch persister's deliveries can wait forever for acks on the dead channel.
    /// They are cancelled after this instead: their messages were not acknowledged, so the broker redelivers them and the idempotent
    /// writes store each once. A shorter shutdown timeout shortens it (MassTransit refuses one longer than the stop timeout).
    /// </summary>
    public static readonly TimeSpan ConsumerStopTimeout = TimeSpan.FromSeconds(15);

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
            o.ConsumerStopTimeout = ConsumerStopTimeout < shutdown ? ConsumerStopTimeout : shutdown;
        });
        EnumeratedSettings.CheckFrameworkSettings(configuration);
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
}
