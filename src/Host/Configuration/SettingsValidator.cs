using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Persisters.Host.Configuration;

/// <summary>
/// Validates an options class by its DataAnnotations (attributes, <see cref="IValidatableObject"/>; parts marked
/// <c>[ValidateObjectMembers]</c> in turn, under their own path) and names each failure by its setting:
/// <c>Persisters:Batch:MessageLimit must be from 1 to 5000. (environment: Persisters__Batch__MessageLimit)</c>.
/// </summary>
/// <remarks>
/// A failure's member name is the key relative to the object (<c>Webhooks:prod:Url</c> is fine). Its message either says the rest
/// after the setting's path ("must be from 1 to 5000.", "'0' must be …") or, when it begins with the section's name, is the whole
/// sentence (for one that names two settings). The environment form is added unless the message gives it.
/// </remarks>
public sealed class SettingsValidator<T>(string sectionName) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        var failures = new List<string>();
        Collect(options, sectionName, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void Collect(object target, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(target, new ValidationContext(target), results, validateAllProperties: true);
        failures.AddRange(results.Select(r => Render(path, r)));
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.IsDefined(typeof(ValidateObjectMembersAttribute)) && property.GetValue(target) is { } nested)
            {
                Collect(nested, $"{path}:{property.Name}", failures);
            }
        }
    }

    private string Render(string path, ValidationResult result)
    {
        var member = result.MemberNames.FirstOrDefault();
        var setting = string.IsNullOrEmpty(member) ? path : $"{path}:{member}";
        var message = result.ErrorMessage ?? "is not valid.";
        var root = sectionName.Split(':')[0] + ":";
        var text = message.StartsWith(root, StringComparison.Ordinal) ? message : $"{setting} {message}";
        if (text.Contains("(environment:", StringComparison.Ordinal)) return text;
        return text.EndsWith('.') ? $"{text} (environment: {Settings.EnvironmentName(setting)})" : $"{text} (environment: {Settings.EnvironmentName(setting)}).";
    }
}
