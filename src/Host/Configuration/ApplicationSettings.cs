using Persisters.Consumers;
using Persisters.Consumers.AutoOps;
using Persisters.Consumers.Calculator;
using Persisters.Sagas;

namespace Persisters.Host.Configuration;

/// <summary>The application's sections besides the transport, database and scheduler, read and registered the one way (<see cref="Settings"/>).</summary>
public static class ApplicationSettings
{
    /// <summary>
    /// Reads <c>Persisters</c>, <c>ExperimentLifecycle</c>, <c>Calculator</c> and <c>AutoOps</c> now (a bad one stops the start) and
    /// registers their options. The experiment lifecycle takes its late-event tail from <c>Persisters:LateEventTail</c>.
    /// </summary>
    /// <exception cref="SettingsException">The bad settings, each named by its path and environment form.</exception>
    public static (PersisterOptions Persisters, ExperimentLifecycleOptions Lifecycle) Add(IServiceCollection services, IConfiguration configuration)
    {
        // Persisters first: the lifecycle copies its LateEventTail, and the message should name the setting that was set.
        var persisters = Settings.Read<PersisterOptions>(configuration, PersisterOptions.SectionName);
        var lifecycle = Settings.Read<ExperimentLifecycleOptions>(configuration, ExperimentLifecycleOptions.SectionName, (o, section) =>
        {
            if (!string.IsNullOrWhiteSpace(section[nameof(ExperimentLifecycleOptions.LateEventTail)]))
            {
                throw new SettingsException($"{section.Path}:LateEventTail is not a setting: set {PersisterOptions.SectionName}:LateEventTail " +
                    $"(environment: {Settings.EnvironmentName(PersisterOptions.SectionName)}__LateEventTail), which the persisters and the experiment lifecycle both read.");
            }
            o.LateEventTail = persisters.LateEventTail;
        });
        Settings.Read<CalculatorOptions>(configuration, CalculatorOptions.SectionName);
        Settings.Read<AutoOpsOptions>(configuration, AutoOpsOptions.SectionName);

        services.AddSettings<PersisterOptions>(PersisterOptions.SectionName);
        services.AddSettings<CalculatorOptions>(CalculatorOptions.SectionName);
        services.AddSettings<AutoOpsOptions>(AutoOpsOptions.SectionName);
        return (persisters, lifecycle);
    }
}
