using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Persisters.Consumers.Definitions;
using Persisters.Consumers.Diagnostics;
using Persisters.Consumers.Validation;
using Persisters.Contracts;
using Persisters.Persistence.Writers;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// Stores goal events linked to experiments (one row per event and experiment). A goal whose user
/// has no stored evaluation yet is parked in <c>goal_event_retry</c> in the same transaction, and
/// tried again with backoff by <see cref="GoalRetryWorker"/>: durable, with no extra store.
/// </summary>
public sealed class GoalEventsDwhPersister(
    LiveDefinitions definitions,
    PersistersDatabase database,
    EventStore store,
    GoalLinker linker,
    PersisterMetrics metrics,
    IOptions<PersisterOptions> options,
    TimeProvider clock,
    ILogger<GoalEventsDwhPersister> logger) : IConsumer<Batch<GoalEvent>>, IConsumer<Batch<GoalEventBatch>>
{
    public const string Name = PersisterQueues.GoalDwh;

    /// <summary>Events decoded at a time while the batch is sorted, before the transaction.</summary>
    private const int DecodeChunkSize = 1000;

    public Task Consume(ConsumeContext<Batch<GoalEvent>> context) =>
        PersistAsync(PersisterInput<GoalEvent>.FromEvents(context.Message), context);

    public Task Consume(ConsumeContext<Batch<GoalEventBatch>> context) =>
        PersistAsync(PersisterInput<GoalEvent>.FromEnvelopes(context.Message, m => m.Events), context);

    private async Task PersistAsync(PersisterInput<GoalEvent> input, ConsumeContext context)
    {
        var cancellationToken = context.CancellationToken;
        var started = Stopwatch.GetTimestamp();
        metrics.Received(Name, input.Received, context);
        var now = clock.GetUtcNow();
        var o = options.Value;
        var validator = new EventValidator(now.ToUnixTimeSeconds(), o.MaxClockSkew, o.MaxUserDataBytes);
        var live = await definitions.GetAsync(cancellationToken);

        // validate → relevance → map, before the write transaction opens: no pooled connection or write permit is held for CPU-only
        // work. The needed events of the whole batch are kept (decoded a chunk at a time); the others are dropped as they are read.
        var candidates = new GoalCandidates(validator, live);
        var malformed = new List<MalformedEvent>();
        foreach (var chunk in input.Chunks(DecodeChunkSize, malformed))
        {
            foreach (var e in chunk) candidates.Add(e);
        }

        var (link, added, written, parked) = candidates.Items.Count == 0 ? (new GoalLinkResult(), 0, 0, 0) : await database.InTransactionAsync(async (s, ct) =>
        {
            var link = new GoalLinkResult();
            int added = 0, written = 0;
            foreach (var part in candidates.Items.Chunk(s.ChunkSize))
            {
                await linker.LinkAsync(s, part, now.ToUnixTimeMilliseconds(), link, ct);
                if (link.Rows.Count > 0) added += await store.InsertGoalsAsync(s, link.Rows, ct);
                written += link.Rows.Count;
                link.Rows.Clear();
            }
            var retries = link.Retry.Select(e => GoalRetrySchedule.Park(e, now, o.GoalRetry)).ToList();
            var parked = retries.Count == 0 ? 0 : await store.InsertRetriesAsync(s, retries, ct);
            return (link, added, written, parked);
        }, cancellationToken);

        var skips = new SkipTally(Name);
        foreach (var (e, reason) in candidates.Skipped.Concat(link.Unlinkable)) skips.Add(reason, e.Id);
        skips.AddUnreadable(input, malformed);
        await MalformedEventDeadLetters.SendAsync<GoalEvent>(Name, malformed, cancellationToken);
        metrics.Persisted(Name, added);
        metrics.Duplicates(Name, written - added);
        metrics.GoalRetry("parked", parked);
        skips.Report(metrics, logger, input.Received);
        if (parked > 0)
        {
            logger.LogDebug("Parked {Parked} goal events whose users have no evaluation yet; next attempt in {Interval}", parked, o.GoalRetry.InitialInterval);
        }
        metrics.BatchDuration(Name, Stopwatch.GetElapsedTime(started));
    }
}
