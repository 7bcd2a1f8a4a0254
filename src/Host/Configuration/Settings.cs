using System.ComponentModel;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Persisters.Host.Configuration;

/// <summary>
/// The one way every settings section is read. An options class holds its keys and their defaults (each default once, as the
/// property's initial value) and its rules as DataAnnotations (attributes, and <see cref="System.ComponentModel.DataAnnotations.IValidatableObject"/>
/// for rules across keys; nested parts marked <c>[ValidateObjectMembers]</c>). A section is then
/// <list type="number">
/// <item>checked for enumerated values that are not exactly one name (<see cref="EnumeratedSettings"/>: the binder would take <c>1</c> or <c>A,B</c>),</item>
/// <item>bound by the configuration binder (a value it cannot convert is named with the kind of value the key takes),</item>
/// <item>given the values that follow other settings (the optional <c>postConfigure</c>: trimming, a default taken from another section),</item>
/// <item>validated by <see cref="SettingsValidator{T}"/>, which names each bad setting by its path and its environment form.</item>
/// </list>
/// Sections the composition needs before the container exists are read with <see cref="Read{T}"/>; the others are registered with
/// <see cref="AddSettings{T}"/> (the same steps, validated at start); both fail with a <see cref="SettingsException"/>: exit code 2.
/// </summary>
public static partial class Settings
{
    /// <summary>The environment-variable form of a setting's path: <c>Persisters:Batch:MessageLimit</c> → <c>Persisters__Batch__MessageLimit</c>.</summary>
    public static string EnvironmentName(string path) => path.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>Reads, completes and validates section <paramref name="sectionName"/> now.</summary>
    /// <param name="postConfigure">Fills values that follow other settings or normalises spelling; gets the section to see what was set.</param>
    /// <exception cref="SettingsException">The bad settings, each named by its path and environment form.</exception>
    public static T Read<T>(IConfiguration configuration, string sectionName, Action<T, IConfigurationSection>? postConfigure = null) where T : class, new()
    {
        var section = configuration.GetSection(sectionName);
        var options = new T();
        Bind(section, options);
        postConfigure?.Invoke(options, section);
        var result = new SettingsValidator<T>(sectionName).Validate(null, options);
        if (result.Failed) throw new SettingsException(string.Join(" ", result.Failures));
        return options;
    }

    /// <summary>
    /// Registers <c>IOptions&lt;T&gt;</c> bound to section <paramref name="sectionName"/> the same way as <see cref="Read{T}"/>, validated at
    /// start (<see cref="ValidateSettings"/>, or the host's start).
    /// </summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string sectionName) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new SettingsValidator<T>(sectionName));
        return services.AddOptions<T>()
            .Configure<IConfiguration>((options, configuration) => Bind(configuration.GetSection(sectionName), options))
            .ValidateOnStart();
    }

    /// <summary>Validates every section registered with <see cref="AddSettings{T}"/> now, before anything starts.</summary>
    /// <exception cref="SettingsException">The bad settings, each named by its path and environment form.</exception>
    public static void ValidateSettings(this IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            throw new SettingsException(string.Join(" ", ex.Failures));
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            throw new SettingsException(string.Join(" ", ex.InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures)));
        }
    }

    /// <summary>Binds <paramref name="section"/> onto <paramref name="options"/> with the configuration binder.</summary>
    /// <exception cref="SettingsException">An enumerated value that is not exactly one name, or a value the binder cannot convert.</exception>
    public static void Bind(IConfigurationSection section, object options)
    {
        var names = new List<(object Target, PropertyInfo Property, object Value)>();
        EnumeratedValues(section, options, names);
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new SettingsException(ConversionFailure(ex.Message));
        }
        // The checked member, whatever spelling the binder would have made of it.
        foreach (var (target, property, value) in names) property.SetValue(target, value);
    }

    /// <summary>Every enum-typed key of <paramref name="target"/> (nested parts too) that is set, checked as exactly one member name.</summary>
    private static void EnumeratedValues(IConfigurationSection section, object target, List<(object, PropertyInfo, object)> names)
    {
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0) continue;
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (type.IsEnum && property.CanWrite)
            {
                if (section[property.Name] is { } text && !string.IsNullOrWhiteSpace(text))
                {
                    var noun = type.GetCustomAttribute<DescriptionAttribute>()?.Description ?? $"a {type.Name}";
                    var name = EnumeratedSettings.Name($"{section.Path}:{property.Name}", text, Enum.GetNames(type), noun);
                    names.Add((target, property, Enum.Parse(type, name)));
                }
            }
            else if (type.IsClass && type != typeof(string) && !typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && type != typeof(Uri)
                && property.GetValue(target) is { } nested)
            {
                EnumeratedValues(section.GetSection(property.Name), nested, names);
            }
        }
    }

    /// <summary>
    /// The binder's "Failed to convert configuration value 'abc' at 'Persisters:Batch:MessageLimit' to type 'System.Int32'.", led by the
    /// setting, the value, what the key takes and its environment form.
    /// </summary>
    private static string ConversionFailure(string message)
    {
        if (BinderFailure().Match(message) is not { Success: true } m) return message;
        var path = m.Groups["path"].Value;
        var type = Type.GetType(m.Groups["type"].Value);
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        var takes = type == typeof(bool) ? "true or false"
            : type == typeof(int) || type == typeof(long) ? "a whole number"
            : type == typeof(ushort) ? "a whole number from 0 to 65535"
            : type == typeof(TimeSpan) ? "a duration such as 00:00:30 or 1.00:00:00 ([d.]hh:mm:ss[.fffffff])"
            : type == typeof(Uri) ? "a URL"
            : $"a {type?.Name ?? m.Groups["type"].Value}";
        return $"{path} '{m.Groups["value"].Value}' is not {takes} (environment: {EnvironmentName(path)}). {message}";
    }

    [GeneratedRegex(@"^Failed to convert configuration value '(?<value>.*)' at '(?<path>[^']*)' to type '(?<type>[^']*)'", RegexOptions.Singleline)]
    private static partial Regex BinderFailure();
}
