using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Persisters.Consumers.Definitions;
using Persisters.Consumers.Diagnostics;
using Persisters.Consumers.Validation;
using Persisters.Contracts;
using Persisters.Persistence.Model;
using Persisters.Persistence.Writers;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// Stores evaluation events of flag versions under a live experiment (reference §3): one multi-row,
/// idempotent insert per batch, so duplicates across batches, redeliveries and restarts add nothing.
/// </summary>
public sealed class EvaluationEventsDwhPersister(
    LiveDefinitions definitions,
    PersistersDatabase database,
    EventStore store,
    PersisterMetrics metrics,
    IOptions<PersisterOptions> options,
    TimeProvider clock,
    ILogger<EvaluationEventsDwhPersister> logger) : IConsumer<Batch<EvaluationEvent>>, IConsumer<Batch<EvaluationEventBatch>>
{
    public const string Name = PersisterQueues.EvaluationDwh;

    public Task Consume(ConsumeContext<Batch<EvaluationEvent>> context) =>
        PersistAsync(PersisterInput<EvaluationEvent>.FromEvents(context.Message), context);

    // Envelopes are batched too, so many envelopes share one transaction and full-size multi-row inserts.
    public Task Consume(ConsumeContext<Batch<EvaluationEventBatch>> context) =>
        PersistAsync(PersisterInput<EvaluationEvent>.FromEnvelopes(context.Message, m => m.Events), context);

    private async Task PersistAsync(PersisterInput<EvaluationEvent> input, ConsumeContext context)
    {
        var cancellationToken = context.CancellationToken;
        var started = Stopwatch.GetTimestamp();
        metrics.Received(Name, input.Received, context);
        var now = clock.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var validator = new EventValidator(now.ToUnixTimeSeconds(), options.Value.MaxClockSkew, options.Value.MaxUserDataBytes);
        var live = await definitions.GetAsync(cancellationToken);

        // Chunk by chunk inside one transaction: at most one chunk of decoded events and rows is alive at a time.
        var (added, written, skips, malformed) = input.Count == 0 ? (0, 0, new SkipTally(Name), []) : await database.InTransactionAsync(async (s, ct) =>
        {
            var skips = new SkipTally(Name);
            var malformed = new List<MalformedEvent>();
            var rows = new List<EvaluationEventRow>(Math.Min(s.ChunkSize, input.Count));
            int added = 0, written = 0;
            foreach (var chunk in input.Chunks(s.ChunkSize, malformed))
            {
                rows.Clear();
                foreach (var e in chunk)
                {
                    // validate → relevance → map (user id resolved and user data serialised once)
                    string? userData = null;
                    var reason = validator.Check(e, out var userId) ?? Relevance.OfEvaluation(live, e) ?? validator.SerializeUserData(e.User, out userData);
                    if (reason is { } skip) skips.Add(skip, e.Id);
                    else rows.Add(EventRows.Evaluation(e, userId, userData, nowMs));
                }
                if (rows.Count > 0) added += await store.InsertEvaluationsAsync(s, rows, ct);
                written += rows.Count;
            }
            return (added, written, skips, malformed);
        }, cancellationToken);

        skips.AddUnreadable(input, malformed);
        await MalformedEventDeadLetters.SendAsync<EvaluationEvent>(Name, malformed, cancellationToken);
        metrics.Persisted(Name, added);
        metrics.Duplicates(Name, written - added);
        skips.Report(metrics, logger, input.Received);
        metrics.BatchDuration(Name, Stopwatch.GetElapsedTime(started));
    }
}
