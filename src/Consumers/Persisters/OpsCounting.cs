using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Persisters.Consumers.AutoOps;
using Persisters.Consumers.Definitions;
using Persisters.Consumers.Diagnostics;
using Persisters.Consumers.Validation;
using Persisters.Persistence.Writers;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// The shared half of the two OPS persisters: validate, map each event to the counters it feeds,
/// then add every counter's users in one transaction (counters in a fixed order, so concurrent
/// batches never deadlock on each other) and, in that transaction, assess the rules whose counters
/// changed (<see cref="AutoOpsRuleAssessor"/>).
/// </summary>
public abstract class OpsCounting<TEvent>(
    LiveDefinitions definitions,
    PersistersDatabase database,
    OpsCounterStore store,
    AutoOpsRuleAssessor assessor,
    PersisterMetrics metrics,
    IOptions<PersisterOptions> options,
    TimeProvider clock,
    ILogger logger) : IConsumer<Batch<TEvent>>
    where TEvent : class, new()
{
    protected abstract string Name { get; }

    /// <summary>Adds the counters the event feeds to <paramref name="into"/>, or returns why it feeds none.</summary>
    protected abstract SkipReason? Map(TEvent e, EventValidator validator, LiveDefinitions.Snapshot live, Action<OpsCounterKey, string> into);

    protected abstract string IdOf(TEvent e);

    /// <summary>Events decoded at a time (one multi-row insert's worth elsewhere).</summary>
    private const int ChunkSize = 1000;

    public Task Consume(ConsumeContext<Batch<TEvent>> context) =>
        CountAsync(PersisterInput<TEvent>.FromEvents(context.Message), context);

    protected async Task CountAsync(PersisterInput<TEvent> input, ConsumeContext context)
    {
        var cancellationToken = context.CancellationToken;
        var started = Stopwatch.GetTimestamp();
        metrics.Received(Name, input.Received, context);
        var now = clock.GetUtcNow();
        var validator = new EventValidator(now.ToUnixTimeSeconds(), options.Value.MaxClockSkew, options.Value.MaxUserDataBytes);
        var live = await definitions.GetAsync(cancellationToken);
        var skips = new SkipTally(Name);
        var groups = new SortedDictionary<OpsCounterKey, HashSet<string>>(CounterOrder.Instance);

        var malformed = new List<MalformedEvent>();
        // Decoded a chunk at a time; only the distinct users of each counter are kept across chunks.
        foreach (var chunk in input.Chunks(ChunkSize, malformed))
        {
            foreach (var e in chunk)
            {
                var reason = Map(e, validator, live, (key, user) =>
                {
                    if (!groups.TryGetValue(key, out var users)) groups[key] = users = [];
                    users.Add(user);
                });
                if (reason is { } skip) skips.Add(skip, IdOf(e));
            }
        }
        skips.AddUnreadable(input, malformed);

        var added = 0;
        if (groups.Count > 0)
        {
            (added, var triggers) = await database.InTransactionAsync(async (s, ct) =>
            {
                var total = 0;
                var changed = new List<OpsCounterKey>();
                foreach (var (key, users) in groups)
                {
                    var n = await store.AddUsersAsync(s, key, users, now.ToUnixTimeSeconds(), ct);
                    total += n;
                    if (n > 0) changed.Add(key);
                }
                // The transaction holds the changed counters' rows, so the counts it reads are the latest; the rule itself moves
                // to Finished under a conditional update (exactly once across batches, hosts and redeliveries).
                var fired = await assessor.AssessAsync(s, changed, live, clock.GetUtcNow(), ct);
                return (total, fired);
            }, cancellationToken);
            assessor.Committed(triggers);
            if (triggers.Count > 0) definitions.Invalidate();
        }
        // The malformed events of envelopes go to this persister's _error queue.
        await MalformedEventDeadLetters.SendAsync<TEvent>(Name, malformed, cancellationToken);
        metrics.OpsUsersAdded(Name, added);
        skips.Report(metrics, logger, input.Received);
        metrics.BatchDuration(Name, Stopwatch.GetElapsedTime(started));
    }

    private sealed class CounterOrder : IComparer<OpsCounterKey>
    {
        public static readonly CounterOrder Instance = new();

        public int Compare(OpsCounterKey? x, OpsCounterKey? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            var c = x.ClauseId.CompareTo(y.ClauseId);
            if (c != 0) return c;
            c = x.FeatureVersion.CompareTo(y.FeatureVersion);
            return c != 0 ? c : x.Kind.CompareTo(y.Kind);
        }
    }
}
