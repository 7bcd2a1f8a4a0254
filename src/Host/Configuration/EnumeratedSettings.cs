using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Console;

namespace Persisters.Host.Configuration;

/// <summary>
/// Settings whose value is one name out of a fixed set (<c>Transport:Kind</c>, <c>Database:Provider</c>, <c>Scheduler:Store</c>,
/// log levels, the console formatter ...). .NET's own readers (<see cref="Enum.TryParse{TEnum}(string, bool, out TEnum)"/>, the
/// configuration binder, the logging filters) also take a number (<c>1</c>) or a comma list (<c>RabbitMq,AmazonSqs</c>, whose
/// members are ORed into another member), and the console logger falls back to its simple format for a name it does not know.
/// Here a value is exactly one of the names: any case, surrounding whitespace ignored; anything else is a
/// <see cref="SettingsException"/> that names the setting, the value and the names it takes.
/// </summary>
public static partial class EnumeratedSettings
{
    /// <summary>The console formatters .NET registers (<see cref="ConsoleFormatterNames"/>).</summary>
    private static readonly string[] ConsoleFormatters = [ConsoleFormatterNames.Simple, ConsoleFormatterNames.Json, ConsoleFormatterNames.Systemd];

    /// <summary>
    /// Reads <paramref name="path"/> as one member of <typeparamref name="T"/>; null when it is absent or blank.
    /// </summary>
    /// <param name="noun">What a value is, for the message: "a transport" gives "Transport:Kind 'x' is not a transport".</param>
    /// <exception cref="SettingsException">The value is not exactly one member name.</exception>
    public static T? Read<T>(IConfiguration configuration, string path, string noun) where T : struct, Enum =>
        configuration[path] is { } text && !string.IsNullOrWhiteSpace(text) ? Enum.Parse<T>(Name(path, text, Enum.GetNames<T>(), noun)) : null;

    /// <summary>The canonical spelling of <paramref name="text"/> among <paramref name="names"/>.</summary>
    /// <exception cref="SettingsException">It is none of them (a number, a list, a misspelling).</exception>
    public static string Name(string path, string text, IReadOnlyList<string> names, string noun) =>
        names.FirstOrDefault(n => n.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase)) ?? throw new SettingsException(NotOneOf(path, text, names, noun));

    /// <summary>The message for <paramref name="text"/> that is none of <paramref name="names"/>.</summary>
    public static string NotOneOf(string path, string text, IReadOnlyList<string> names, string noun) =>
        $"{path} '{text}' is not {noun}. Use one of: {string.Join(", ", names)} (environment: {Settings.EnvironmentName(path)}).";

    /// <summary>
    /// Checks the enumerated settings that the framework reads on its own (every <c>Logging:…:LogLevel:*</c>, the console
    /// logger's formatter, color behavior, standard-error threshold and queue mode) and writes each valid value back in its
    /// canonical spelling, so the framework reads exactly the member that was checked.
    /// </summary>
    /// <exception cref="SettingsException">The first value that is not exactly one name.</exception>
    public static void CheckFrameworkSettings(IConfigurationManager configuration)
    {
        var canonical = new Dictionary<string, string?>();
        foreach (var (key, value) in ((IConfiguration)configuration).AsEnumerable())
        {
            if (value is null || string.IsNullOrWhiteSpace(value)) continue;
            var names = FrameworkSetting(key);
            if (names is null) continue;
            var name = Name(key, value, names.Value.Names, names.Value.Noun);
            if (name != value) canonical[key] = name;
        }
        if (canonical.Count > 0) configuration.AddInMemoryCollection(canonical);
    }

    private static (IReadOnlyList<string> Names, string Noun)? FrameworkSetting(string key)
    {
        if (LogLevelKey().IsMatch(key) || key.Equals("Logging:Console:LogToStandardErrorThreshold", StringComparison.OrdinalIgnoreCase))
        {
            return (Enum.GetNames<LogLevel>(), "a log level");
        }
        if (key.Equals("Logging:Console:FormatterName", StringComparison.OrdinalIgnoreCase)) return (ConsoleFormatters, "a console formatter");
        if (key.Equals("Logging:Console:FormatterOptions:ColorBehavior", StringComparison.OrdinalIgnoreCase))
        {
            return (Enum.GetNames<LoggerColorBehavior>(), "a color behavior");
        }
        if (key.Equals("Logging:Console:QueueFullMode", StringComparison.OrdinalIgnoreCase)) return (Enum.GetNames<ConsoleLoggerQueueFullMode>(), "a queue mode");
        return null;
    }

    /// <summary><c>Logging:LogLevel:CATEGORY</c> or <c>Logging:PROVIDER:LogLevel:CATEGORY</c>, as the logging filters read them.</summary>
    [GeneratedRegex("^Logging:([^:]+:)?LogLevel:[^:]+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LogLevelKey();
}
