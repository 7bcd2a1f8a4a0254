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
        PersistAsync(context.Message.Select(m => m.Message).ToList(), context);

    public Task Consume(ConsumeContext<Batch<GoalEventBatch>> context) =>
        PersistAsync(context.Message.SelectMany(m => m.Message.Events).ToList(), context);

    private async Task PersistAsync(IReadOnlyList<GoalEvent> events, ConsumeContext context)
    {
        var cancellationToken = context.CancellationToken;
        var started = Stopwatch.GetTimestamp();
        metrics.Received(Name, events.Count, context);
        var now = clock.GetUtcNow();
        var o = options.Value;
        var validator = new EventValidator(now.ToUnixTimeSeconds(), o.MaxClockSkew, o.MaxUserDataBytes);
        var live = await definitions.GetAsync(cancellationToken);

        var (link, added, parked) = await database.InTransactionAsync(async (s, ct) =>
        {
            var link = await linker.LinkAsync(s, events, live, validator, now.ToUnixTimeMilliseconds(), ct);
            var added = link.Rows.Count == 0 ? 0 : await store.InsertGoalsAsync(s, link.Rows, ct);
            var retries = link.Retry.Select(e => GoalRetryWorker.NewRetry(e, now, o.GoalRetry)).ToList();
            var parked = retries.Count == 0 ? 0 : await store.InsertRetriesAsync(s, retries, ct);
            return (link, added, parked);
        }, cancellationToken);

        var skips = new SkipTally(Name);
        foreach (var (e, reason) in link.Skipped.Concat(link.Unlinkable)) skips.Add(reason, e.Id);
        metrics.Persisted(Name, added);
        metrics.Duplicates(Name, link.Rows.Count - added);
        metrics.GoalRetry("parked", parked);
        skips.Report(metrics, logger, events.Count);
        if (parked > 0)
        {
            logger.LogDebug("Parked {Parked} goal events whose users have no evaluation yet; next attempt in {Interval}", parked, o.GoalRetry.InitialInterval);
        }
        metrics.BatchDuration(Name, Stopwatch.GetElapsedTime(started));
    }
}
