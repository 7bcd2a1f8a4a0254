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
        // Upper bounds keep every duration within what its timer or the experiment's schedule can represent.
        Check(o.Batch.TimeLimit > TimeSpan.Zero && o.Batch.TimeLimit <= TimeSpan.FromMinutes(1), "Persisters:Batch:TimeLimit must be above 0 and at most 00:01:00.", failures);
        Check(o.GoalRetry.InitialInterval > TimeSpan.Zero && o.GoalRetry.InitialInterval <= OneDay,
            "Persisters:GoalRetry:InitialInterval must be above 0 and at most 1.00:00:00.", failures);
        Check(o.GoalRetry.MaxPeriod >= o.GoalRetry.InitialInterval && o.GoalRetry.MaxPeriod <= OneYear,
            "Persisters:GoalRetry:MaxPeriod must be at least InitialInterval and at most 365.00:00:00.", failures);
        Check(o.GoalRetry.PollInterval > TimeSpan.Zero && o.GoalRetry.PollInterval <= OneDay, "Persisters:GoalRetry:PollInterval must be above 0 and at most 1.00:00:00.", failures);
        Check(o.LateEventTail >= TimeSpan.Zero && o.LateEventTail <= Sagas.ExperimentLifecycleOptions.MaxLateEventTail,
            "Persisters:LateEventTail must be from 0 to 365.00:00:00.", failures);
        Check(o.MaxClockSkew >= TimeSpan.Zero && o.MaxClockSkew <= OneYear, "Persisters:MaxClockSkew must be from 0 to 365.00:00:00.", failures);
        Check(o.DefinitionsRefreshInterval >= TimeSpan.Zero && o.DefinitionsRefreshInterval <= OneDay,
            "Persisters:DefinitionsRefreshInterval must be from 0 to 1.00:00:00.", failures);
        Check(o.ReconcileInterval >= TimeSpan.FromSeconds(1) && o.ReconcileInterval <= OneDay, "Persisters:ReconcileInterval must be from 00:00:01 to 1.00:00:00.", failures);
        Check(o.QueueRetention is null || o.QueueRetention == TimeSpan.Zero || o.QueueRetention >= o.LateEventTail,
            "Persisters:QueueRetention must be 00:00:00 (off) or at least Persisters:LateEventTail.", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);
    private static readonly TimeSpan OneYear = TimeSpan.FromDays(365);

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
