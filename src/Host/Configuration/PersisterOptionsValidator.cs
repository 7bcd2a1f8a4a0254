using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Persisters.Consumers;

namespace Persisters.Host.Configuration;

/// <summary>Checks the whole <c>Persisters</c> section, nested parts included, naming each bad setting by its path.</summary>
public sealed class PersisterOptionsValidator : IValidateOptions<PersisterOptions>
{
    public ValidateOptionsResult Validate(string? name, PersisterOptions o)
    {
        var failures = new List<string>();
        Annotations(o, PersisterOptions.SectionName, failures);
        Annotations(o.Batch, $"{PersisterOptions.SectionName}:Batch", failures);
        Annotations(o.GoalRetry, $"{PersisterOptions.SectionName}:GoalRetry", failures);
        Check(o.Batch.TimeLimit > TimeSpan.Zero, "Persisters:Batch:TimeLimit must be positive.", failures);
        Check(o.GoalRetry.InitialInterval > TimeSpan.Zero, "Persisters:GoalRetry:InitialInterval must be positive.", failures);
        Check(o.GoalRetry.MaxPeriod >= o.GoalRetry.InitialInterval, "Persisters:GoalRetry:MaxPeriod must be at least InitialInterval.", failures);
        Check(o.GoalRetry.PollInterval > TimeSpan.Zero, "Persisters:GoalRetry:PollInterval must be positive.", failures);
        Check(o.LateEventTail >= TimeSpan.Zero, "Persisters:LateEventTail must not be negative.", failures);
        Check(o.MaxClockSkew >= TimeSpan.Zero, "Persisters:MaxClockSkew must not be negative.", failures);
        Check(o.QueueRetention is null || o.QueueRetention == TimeSpan.Zero || o.QueueRetention >= o.LateEventTail,
            "Persisters:QueueRetention must be 00:00:00 (off) or at least Persisters:LateEventTail.", failures);
        Check(o.DefinitionsRefreshInterval >= TimeSpan.Zero, "Persisters:DefinitionsRefreshInterval must not be negative.", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Annotations(object target, string path, List<string> failures)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(target, new ValidationContext(target), results, validateAllProperties: true)) return;
        foreach (var r in results)
        {
            foreach (var member in r.MemberNames) failures.Add($"{path}:{member}: {r.ErrorMessage}");
        }
    }

    private static void Check(bool ok, string message, List<string> failures)
    {
        if (!ok) failures.Add(message);
    }
}
