using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Persisters.Host.Ingest;

/// <summary>Checks the <c>Ingest</c> section at start, naming each bad setting by its path.</summary>
public sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions o)
    {
        var failures = new List<string>();
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(o, new ValidationContext(o), results, validateAllProperties: true))
        {
            foreach (var r in results)
            {
                foreach (var member in r.MemberNames) failures.Add($"{IngestOptions.SectionName}:{member}: {r.ErrorMessage}");
            }
        }
        if (o.PublishTimeout <= TimeSpan.Zero || o.PublishTimeout > TimeSpan.FromMinutes(5))
            failures.Add("Ingest:PublishTimeout must be above 0 and at most 00:05:00.");
        if (o.RetryAfter < TimeSpan.FromSeconds(1) || o.RetryAfter > TimeSpan.FromHours(1))
            failures.Add("Ingest:RetryAfter must be from 00:00:01 to 01:00:00.");
        if (o.CorsOrigins.Any(string.IsNullOrWhiteSpace))
            failures.Add("Ingest:CorsOrigins must not hold an empty origin.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
