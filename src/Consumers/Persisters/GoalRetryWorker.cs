using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Persisters.Consumers.Definitions;
using Persisters.Consumers.Diagnostics;
using Persisters.Consumers.Validation;
using Persisters.Contracts;
using Persisters.Persistence.Writers;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// Tries parked goal events again when due. Each attempt claims due rows with a row lock that
/// other hosts skip, links, writes the rows and updates or removes the parked rows in one
/// transaction, so every parked event is linked once and never lost, whichever host runs it.
/// In on-demand mode a host whose DWH endpoints are stopped (no live experiment) polls only every
/// <see cref="IdlePollFactor"/>th interval, just to let parked events of finished experiments expire.
/// </summary>
public sealed class GoalRetryWorker(
    LiveDefinitions definitions,
    PersistersDatabase database,
    EventStore store,
    GoalLinker linker,
    PersisterMetrics metrics,
    IOptions<PersisterOptions> options,
    TimeProvider clock,
    ILogger<GoalRetryWorker> logger,
    IPersisterDemand demand) : BackgroundService
{
    /// <summary>While idle (on demand, no DWH endpoint connected) one poll in this many.</summary>
    public const int IdlePollFactor = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.GoalRetry.PollInterval, clock);
        var idleTicks = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!demand.IsConnected(PersisterQueues.GoalDwh) && ++idleTicks % IdlePollFactor != 0) continue;
            try
            {
                while (await RunOnceAsync(stoppingToken) >= options.Value.GoalRetry.BatchSize)
                {
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Goal retry attempt failed; parked events stay parked and are tried again in {Interval}", options.Value.GoalRetry.PollInterval);
            }
        }
    }

    /// <summary>One pass over due parked events; returns how many were claimed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var o = options.Value;
        var validator = new EventValidator(now.ToUnixTimeSeconds(), o.MaxClockSkew, o.MaxUserDataBytes);

        var outcome = await database.InTransactionAsync(async (s, token) =>
        {
            var claimed = await store.ClaimDueRetriesAsync(s, now.ToUnixTimeSeconds(), o.GoalRetry.BatchSize, token);
            if (claimed.Count == 0) return new RetryOutcome(0, 0, 0, 0, 0);
            // Only now, with work claimed: an idle poll costs one indexed query, not a definitions read too.
            var live = await definitions.GetAsync(token);

            var events = new List<GoalEvent>(claimed.Count);
            var unreadable = 0;
            foreach (var row in claimed)
            {
                var e = TryRead(row.Payload);
                if (e is null)
                {
                    unreadable++;
                    await store.DeleteRetryAsync(s, row.EventId, token);
                }
                else events.Add(e);
            }

            var candidates = new GoalCandidates(validator, live);
            foreach (var e in events) candidates.Add(e);
            var link = new GoalLinkResult();
            await linker.LinkAsync(s, candidates.Items, now.ToUnixTimeMilliseconds(), link, token);
            var added = link.Rows.Count == 0 ? 0 : await store.InsertGoalsAsync(s, link.Rows, token);
            var waiting = link.Retry.Select(e => e.Id).ToHashSet();
            int linked = 0, rescheduled = 0, expired = 0;
            foreach (var row in claimed)
            {
                if (!waiting.Contains(row.EventId))
                {
                    linked++;
                    await store.DeleteRetryAsync(s, row.EventId, token);
                }
                else if (GoalRetrySchedule.HasExpired(row.FirstAttemptAt, now, o.GoalRetry))
                {
                    expired++;
                    await store.DeleteRetryAsync(s, row.EventId, token);
                }
                else
                {
                    rescheduled++;
                    var next = now + GoalRetrySchedule.Backoff(row.Attempts + 1, o.GoalRetry);
                    await store.RescheduleRetryAsync(s, row.EventId, row.Attempts + 1, next.ToUnixTimeSeconds(), token);
                }
            }
            return new RetryOutcome(claimed.Count, added, rescheduled, expired, unreadable) { Skipped = candidates.Skipped.Concat(link.Unlinkable).ToList() };
        }, ct);

        if (outcome.Claimed == 0) return 0;
        metrics.Persisted(GoalEventsDwhPersister.Name, outcome.RowsAdded);
        metrics.GoalRetry("linked", outcome.Claimed - outcome.Rescheduled - outcome.Expired - outcome.Unreadable);
        metrics.GoalRetry("rescheduled", outcome.Rescheduled);
        metrics.GoalRetry("expired", outcome.Expired);
        metrics.GoalRetry("unreadable", outcome.Unreadable);
        if (outcome.Expired > 0) metrics.Skipped(GoalEventsDwhPersister.Name, SkipReason.RetryExpired, outcome.Expired);
        foreach (var (_, reason) in outcome.Skipped) metrics.Skipped(GoalEventsDwhPersister.Name, reason);
        logger.LogInformation(
            "Goal retry: {Claimed} parked events tried, {Rows} rows written, {Rescheduled} still waiting, {Expired} expired after {MaxPeriod}",
            outcome.Claimed, outcome.RowsAdded, outcome.Rescheduled, outcome.Expired, o.GoalRetry.MaxPeriod);
        return outcome.Claimed;
    }

    private GoalEvent? TryRead(string payload)
    {
        try
        {
            return GoalRetrySchedule.Read(payload);
        }
        catch (JsonException ex)
        {
            logger.LogError(ex, "A parked goal event could not be read and is dropped");
            return null;
        }
    }

    private sealed record RetryOutcome(int Claimed, int RowsAdded, int Rescheduled, int Expired, int Unreadable)
    {
        public IReadOnlyList<(GoalEvent Event, SkipReason Reason)> Skipped { get; init; } = [];
    }
}
