using Microsoft.Extensions.Configuration;
using Persisters.Consumers;
using Persisters.Consumers.Calculator;
using Persisters.Sagas;

namespace Persisters.Host.Configuration;

/// <summary>
/// Checks, before anything is built, the settings that the framework and the configuration binder read later on their own,
/// so that a bad one stops the process with exit code 2 and its name instead of an exception trace from wherever it is first read.
/// </summary>
public static class SettingsPreflight
{
    /// <exception cref="SettingsException">The first bad setting, named by its path.</exception>
    public static void Check(IConfigurationManager configuration)
    {
        EnumeratedSettings.CheckFrameworkSettings(configuration);
        // Persisters first: the experiment lifecycle copies its LateEventTail, and the message should name the setting that was set.
        var persisters = Bind<PersisterOptions>(configuration, PersisterOptions.SectionName);
        if (new PersisterOptionsValidator().Validate(null, persisters) is { Failed: true } invalid) throw new SettingsException(string.Join(" ", invalid.Failures!));
        Bind<CalculatorOptions>(configuration, CalculatorOptions.SectionName);
        Bind<ExperimentLifecycleOptions>(configuration, ExperimentLifecycleOptions.SectionName);
    }

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
