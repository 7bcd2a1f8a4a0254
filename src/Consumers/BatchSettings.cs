using System.ComponentModel.DataAnnotations;

namespace Persisters.Consumers;

/// <summary>Section <c>Persisters:Batch</c>: how the persisters take messages from the broker.</summary>
public sealed class BatchSettings : IValidatableObject
{
    /// <summary>
    /// Messages per batch (1 to 5000): single events, or envelopes whose events are written in multi-row inserts (rows per
    /// statement: <c>Database:InsertChunkSize</c>), decoded a chunk at a time. The broker's prefetch follows it
    /// (<see cref="MessageLimit"/> × <see cref="ConcurrencyLimit"/>), and prefetched messages are held as received, so it also
    /// bounds the memory of a burst of large envelopes.
    /// </summary>
    [Range(1, 5000, ErrorMessage = "must be from {1} to {2}.")]
    public int MessageLimit { get; set; } = 50;

    /// <summary>How long a partial batch waits for more events; above 0, at most 1 minute.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Batches in flight at once per persister and process.</summary>
    [Range(1, 64, ErrorMessage = "must be from {1} to {2}.")]
    public int ConcurrencyLimit { get; set; } = 2;

    /// <summary>Attempts of a failed batch (database down, deadlock) before its events go to the _error queue.</summary>
    [Range(0, 100, ErrorMessage = "must be from {1} to {2}.")]
    public int RetryLimit { get; set; } = 5;

    /// <summary>
    /// Bytes of message bodies the persisters of one process handle at once (all four together); further messages wait,
    /// undecoded, until earlier batches are written. Bounds memory by the size of a burst, not its shape (README, Performance).
    /// It should hold (<see cref="ConcurrencyLimit"/> + 1) × <see cref="MessageLimit"/> of the usual messages: below that a batch
    /// of envelopes cannot fill and closes on <see cref="TimeLimit"/> instead (the default holds 3 × 50 envelopes of 100 events).
    /// </summary>
    [Range(64 * 1024, 1 << 30, ErrorMessage = "must be from {1} to {2}.")]
    public int InFlightByteLimit { get; set; } = 8 * 1024 * 1024;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TimeLimit <= TimeSpan.Zero || TimeLimit > TimeSpan.FromMinutes(1))
        {
            yield return new("Persisters:Batch:TimeLimit must be above 0 and at most 00:01:00.", [nameof(TimeLimit)]);
        }
    }
}
