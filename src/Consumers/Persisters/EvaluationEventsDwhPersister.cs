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
        PersistAsync(context.Message.Select(m => m.Message).ToList(), context);

    // Envelopes are batched too, so many envelopes share one transaction and full-size multi-row inserts.
    public Task Consume(ConsumeContext<Batch<EvaluationEventBatch>> context) =>
        PersistAsync(context.Message.SelectMany(m => m.Message.Events).ToList(), context);

    private async Task PersistAsync(IReadOnlyList<EvaluationEvent> batch, ConsumeContext context)
    {
        var cancellationToken = context.CancellationToken;
        var started = Stopwatch.GetTimestamp();
        metrics.Received(Name, batch.Count, context);
        var now = clock.GetUtcNow();
        var validator = new EventValidator(now.ToUnixTimeSeconds(), options.Value.MaxClockSkew, options.Value.MaxUserDataBytes);
        var live = await definitions.GetAsync(cancellationToken);
        var skips = new SkipTally(Name);
        var rows = new List<EvaluationEventRow>(batch.Count);

        for (var i = 0; i < batch.Count; i++)
        {
            var e = batch[i];
            string? userData = null;
            var reason = validator.Check(e) ?? Relevance(live, e);
            reason ??= validator.SerializeUserData(e.User, out userData);
            if (reason is { } skip)
            {
                skips.Add(skip, e.Id);
                continue;
            }
            rows.Add(EventRows.Evaluation(e, userData, now.ToUnixTimeMilliseconds()));
        }

        var added = rows.Count == 0 ? 0 : await database.InTransactionAsync((s, ct) => store.InsertEvaluationsAsync(s, rows, ct), cancellationToken);
        metrics.Persisted(Name, added);
        metrics.Duplicates(Name, rows.Count - added);
        skips.Report(metrics, logger, batch.Count);
        metrics.BatchDuration(Name, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Kept when the flag version is under an experiment whose window holds the event.</summary>
    private static SkipReason? Relevance(LiveDefinitions.Snapshot live, EvaluationEvent e)
    {
        if (!live.HasExperimentsIn(e.EnvironmentId)) return SkipReason.UnknownEnvironment;
        var experiments = live.ExperimentsOfFeature(e.EnvironmentId, e.FeatureId, e.FeatureVersion);
        if (experiments.Count == 0) return SkipReason.ExperimentNotFound;
        var reason = SkipReason.ExperimentNotFound;
        foreach (var x in experiments)
        {
            if (e.Timestamp > x.StopAt) reason = SkipReason.AfterExperimentEnded;
            else if (e.Timestamp < x.StartAt) reason = SkipReason.BeforeExperimentStarted;
            else return null;
        }
        return reason;
    }
}
