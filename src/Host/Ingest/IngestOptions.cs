using System.ComponentModel.DataAnnotations;

namespace Persisters.Host.Ingest;

/// <summary>
/// Configuration section <c>Ingest</c>: the limits of the HTTP front door (<c>POST /v1/events</c>, <c>POST /register_events</c>).
/// Checked at start (<see cref="Configuration.Settings.AddSettings{T}"/>); a bad value stops the process with exit code 2 naming the setting.
/// </summary>
public sealed class IngestOptions : IValidatableObject
{
    public const string SectionName = "Ingest";

    /// <summary>Bytes of one request body as sent; more is answered 413. 1 MiB.</summary>
    [Range(1024, 64 << 20, ErrorMessage = "must be from {1} to {2}.")]
    public int MaxRequestBodyBytes { get; set; } = 1 << 20;

    /// <summary>Events in one request (evaluation and goal events together, Bucketeer's other types too); more is answered 413.</summary>
    [Range(1, 10_000, ErrorMessage = "must be from {1} to {2}.")]
    public int MaxEventsPerRequest { get; set; } = 500;

    /// <summary>Nesting depth of the JSON body; deeper is answered 400 (a bomb of nested arrays costs nothing to reject).</summary>
    [Range(8, 64, ErrorMessage = "must be from {1} to {2}.")]
    public int MaxJsonDepth { get; set; } = 16;

    /// <summary>
    /// UTF-8 bytes of the events (as they came in) put into one envelope message; a request with more is published as several
    /// envelopes. 192 KiB keeps each message under Amazon SQS's 256 KiB limit with its headers.
    /// </summary>
    [Range(1024, 64 << 20, ErrorMessage = "must be from {1} to {2}.")]
    public int MaxEnvelopeBytes { get; set; } = 192 * 1024;

    /// <summary>How long a request waits for the broker to accept its envelopes before it is answered 503.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The <c>Retry-After</c> of a 503 (broker unavailable), in whole seconds.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Requests per second one API key may make (a token bucket refilled each second); over it a request is answered 429.</summary>
    [Range(1, 1_000_000, ErrorMessage = "must be from {1} to {2}.")]
    public int RequestsPerSecondPerKey { get; set; } = 50;

    /// <summary>Requests one API key may make at once above the steady rate (the bucket's size).</summary>
    [Range(1, 1_000_000, ErrorMessage = "must be from {1} to {2}.")]
    public int BurstPerKey { get; set; } = 100;

    /// <summary>Origins a browser may call the ingestion endpoints from (CORS); none or <c>*</c> = any, as Bucketeer's gateway allows.</summary>
    public string[] CorsOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PublishTimeout <= TimeSpan.Zero || PublishTimeout > TimeSpan.FromMinutes(5))
        {
            yield return new("Ingest:PublishTimeout must be above 0 and at most 00:05:00.", [nameof(PublishTimeout)]);
        }
        if (RetryAfter < TimeSpan.FromSeconds(1) || RetryAfter > TimeSpan.FromHours(1))
        {
            yield return new("Ingest:RetryAfter must be from 00:00:01 to 01:00:00.", [nameof(RetryAfter)]);
        }
        if (CorsOrigins.Any(string.IsNullOrWhiteSpace)) yield return new("Ingest:CorsOrigins must not hold an empty origin.", [nameof(CorsOrigins)]);
    }
}
