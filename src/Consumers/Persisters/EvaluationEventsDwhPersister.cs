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
    ILogger<EvaluationEventsDwhPersister> logger) : IConsumer<Batch<EvaluationEvent>>
{
    public const string Name = PersisterQueues.EvaluationDwh;

    public async Task Consume(ConsumeContext<Batch<EvaluationEvent>> context)
    {
        var started = Stopwatch.GetTimestamp();
        var batch = context.Message;
        metrics.Received(Name, batch.Length);
        var now = clock.GetUtcNow();
        var validator = new EventValidator(now.ToUnixTimeSeconds(), options.Value.MaxClockSkew, options.Value.MaxUserDataBytes);
        var live = await definitions.GetAsync(context.CancellationToken);
        var skips = new SkipTally(Name);
        var rows = new List<EvaluationEventRow>(batch.Length);

        for (var i = 0; i < batch.Length; i++)
        {
            var e = batch[i].Message;
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

        var added = rows.Count == 0 ? 0 : await database.InTransactionAsync((s, ct) => store.InsertEvaluationsAsync(s, rows, ct), context.CancellationToken);
        metrics.Persisted(Name, added);
        metrics.Duplicates(Name, rows.Count - added);
        skips.Report(metrics, logger, batch.Length);
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
