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

        // Chunk by chunk inside one transaction: at most one chunk of decoded events and rows is alive at a time.
        var (link, added, written, parked, malformed) = input.Count == 0 ? (new GoalLinkResult(), 0, 0, 0, []) : await database.InTransactionAsync(async (s, ct) =>
        {
            var link = new GoalLinkResult();
            var malformed = new List<MalformedEvent>();
            int added = 0, written = 0;
            foreach (var chunk in input.Chunks(s.ChunkSize, malformed))
            {
                await linker.LinkAsync(s, chunk, live, validator, now.ToUnixTimeMilliseconds(), link, ct);
                if (link.Rows.Count > 0) added += await store.InsertGoalsAsync(s, link.Rows, ct);
                written += link.Rows.Count;
                link.Rows.Clear();
            }
            var retries = link.Retry.Select(e => GoalRetryWorker.NewRetry(e, now, o.GoalRetry)).ToList();
            var parked = retries.Count == 0 ? 0 : await store.InsertRetriesAsync(s, retries, ct);
            return (link, added, written, parked, malformed);
        }, cancellationToken);

        var skips = new SkipTally(Name);
        foreach (var (e, reason) in link.Skipped.Concat(link.Unlinkable)) skips.Add(reason, e.Id);
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
