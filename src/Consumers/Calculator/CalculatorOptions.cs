using System.ComponentModel.DataAnnotations;

namespace Persisters.Consumers.Calculator;

/// <summary>Configuration section <c>Calculator</c>.</summary>
public sealed class CalculatorOptions : IValidatableObject
{
    public const string SectionName = "Calculator";

    /// <summary>Register the recurring run at bus start. Off: results are only calculated on an explicit <c>CalculateExperimentResults</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often every live experiment is recalculated. It becomes a Quartz cron expression, so it must divide a
    /// minute (whole seconds), an hour (whole minutes) or a day (whole hours): 30 s, 5 min, 15 min, 2 h, …
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Calculations in flight at once per process (the endpoint's concurrency limit).</summary>
    public int ConcurrencyLimit { get; set; } = 2;

    /// <summary>Attempts of a failed calculation (database down) before the command goes to the _error queue.</summary>
    public int RetryLimit { get; set; } = 3;

    /// <summary>The Quartz cron expression of <see cref="Interval"/>; null when it has no exact cron form.</summary>
    public string? CronExpression => ToCron(Interval);

    /// <summary>Every problem with these settings, each naming its setting (<c>Calculator:Interval must …</c>).</summary>
    public IReadOnlyList<string> GetErrors() => Validate(new ValidationContext(this)).Select(r => r.ErrorMessage!).ToList();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Interval <= TimeSpan.Zero || CronExpression is null)
        {
            yield return new($"{SectionName}:Interval must divide a minute (whole seconds), an hour (whole minutes) or a day (whole hours); got '{Interval}'.",
                [nameof(Interval)]);
        }
        if (ConcurrencyLimit is < 1 or > 16) yield return new($"{SectionName}:ConcurrencyLimit must be from 1 to 16; got {ConcurrencyLimit}.", [nameof(ConcurrencyLimit)]);
        if (RetryLimit is < 0 or > 100) yield return new($"{SectionName}:RetryLimit must be from 0 to 100; got {RetryLimit}.", [nameof(RetryLimit)]);
    }

    /// <summary>"0/30 * * * * ?" for 30 s, "0 0/5 * * * ?" for 5 min, "0 0 0/2 * * ?" for 2 h.</summary>
    public static string? ToCron(TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero || interval.Ticks % TimeSpan.TicksPerSecond != 0) return null;
        var seconds = (long)interval.TotalSeconds;
        if (seconds < 60) return 60 % seconds == 0 ? $"0/{seconds} * * * * ?" : null;
        if (seconds % 60 != 0) return null;
        var minutes = seconds / 60;
        if (minutes < 60) return 60 % minutes == 0 ? $"0 0/{minutes} * * * ?" : null;
        if (minutes % 60 != 0) return null;
        var hours = minutes / 60;
        if (hours < 24) return 24 % hours == 0 ? $"0 0 0/{hours} * * ?" : null;
        return hours == 24 ? "0 0 0 * * ?" : null;
    }
}
