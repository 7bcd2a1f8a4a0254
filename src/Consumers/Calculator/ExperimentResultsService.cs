using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Writers;
using Persisters.Statistics;
using Persisters.Statistics.Data;
using Persisters.Statistics.Srm;

namespace Persisters.Consumers.Calculator;

public enum CalculationOutcome
{
    /// <summary>The document was computed and upserted.</summary>
    Written,

    /// <summary>No experiment row has this id.</summary>
    UnknownExperiment,

    /// <summary>Waiting, finished, force-stopped, archived, or stopped longer ago than the late-event tail.</summary>
    NotLive,

    /// <summary>Live, but its window has not opened on this clock: start_at is after now (another replica's clock ran ahead).</summary>
    NotStarted,
}

public sealed record CalculationReport(CalculationOutcome Outcome, string Detail, ExperimentResultDocument? Document = null);

/// <summary>
/// Calculates one experiment (reference §9.2–9.3): counts at every cut-off, the results of the last cut-off per goal,
/// the daily series, the sample-ratio check, and one upsert into <c>experiment_result</c>. The consumer and the
/// demo call it; it is idempotent (the same rows and clock give the same document, a repeat overwrites it).
/// </summary>
public sealed class ExperimentResultsService(
    IPersistersDbContextFactory factory,
    ExperimentCounts counts,
    PersistersDatabase database,
    IOptions<PersisterOptions> persisterOptions,
    TimeProvider clock,
    ILogger<ExperimentResultsService> logger)
{
    public async Task<CalculationReport> CalculateAsync(Guid experimentId, CancellationToken ct)
    {
        ExperimentDefinition? experiment;
        await using (var db = factory.CreateDbContext())
        {
            var row = await db.Experiments.AsNoTracking().FirstOrDefaultAsync(e => e.Id == experimentId, ct);
            experiment = row is null ? null : DefinitionStore.ToDefinition(row);
        }

        if (experiment is null)
        {
            logger.LogWarning("Experiment {ExperimentId} is unknown; no results calculated", experimentId);
            return new CalculationReport(CalculationOutcome.UnknownExperiment, "unknown experiment");
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        if (!LiveExperiment.IsLive(experiment, now, persisterOptions.Value.LateEventTail))
        {
            logger.LogInformation("Experiment {ExperimentId} is {Status} (archived: {Archived}, stop_at {StopAt}) and no longer takes events; results not recalculated",
                experimentId, experiment.Status, experiment.Archived, experiment.StopAt);
            return new CalculationReport(CalculationOutcome.NotLive, $"{experiment.Status}{(experiment.Archived ? ", archived" : "")}");
        }

        var cutOffs = CutOffs.ListEndAt(experiment.StartAt, experiment.StopAt, now);
        if (cutOffs.Count == 0)
        {
            logger.LogWarning("Experiment {ExperimentId} starts at {StartAt}, after now {Now}; nothing to count yet", experimentId, experiment.StartAt, now);
            return new CalculationReport(CalculationOutcome.NotStarted, $"window opens at {experiment.StartAt}, after now {now}");
        }

        var goals = await counts.LoadAsync(experiment, cutOffs, ct);
        var document = Build(experiment, goals, cutOffs[^1]);
        var json = CalculatorJsonContext.Serialize(document);
        await database.InTransactionAsync((s, token) => s.ExecuteAsync(s.Dialect.ExperimentResultUpsert, token,
            ("@id", experiment.ExperimentId.ToString("D")), ("@env", experiment.EnvironmentId), ("@now", now), ("@data", json)), ct);
        logger.LogInformation("Results of experiment {ExperimentId}: {Goals} goals, {CutOffs} cut-offs, {Users} evaluation users, SRM {Srm}",
            experimentId, goals.Count, cutOffs.Count, document.TotalEvaluationUserCount, document.Srm.Status);
        return new CalculationReport(CalculationOutcome.Written, "written", document);
    }

    /// <summary>The document from the counts: pure, so tests can compare it with <see cref="ExperimentCalculator"/> directly.</summary>
    public static ExperimentResultDocument Build(ExperimentDefinition x, IReadOnlyList<GoalCounts> goals, long endAt)
    {
        var goalDocuments = goals.Select(BuildGoal).ToList();
        var first = goals.Count > 0 && goals[0].CutOffs.Count > 0 ? goals[0].CutOffs[^1].Variations : null;
        var observed = x.VariationIds
            .Select(v => new SrmVariationInput(v, first?.FirstOrDefault(s => s.Counts.Id == v)?.Counts.EvaluationUsers ?? 0, 1.0))
            .ToList();
        return new ExperimentResultDocument
        {
            ExperimentId = x.ExperimentId,
            EnvironmentId = x.EnvironmentId,
            FeatureId = x.FeatureId,
            FeatureVersion = x.FeatureVersion,
            BaselineVariationId = x.BaselineVariationId,
            StartAt = x.StartAt,
            StopAt = x.StopAt,
            EndAt = endAt,
            TotalEvaluationUserCount = observed.Sum(o => o.ObservedUsers),
            Srm = SampleRatioMismatch.Check(observed),
            Goals = goalDocuments,
        };
    }

    private static GoalResultDocument BuildGoal(GoalCounts goal)
    {
        // Every cut-off is calculated: the series needs each day's posterior intervals.
        var calculations = goal.CutOffs.Select(c => ExperimentCalculator.Calculate(c.Counts)).ToList();
        var variationCount = goal.CutOffs.Count > 0 ? goal.CutOffs[0].Variations.Count : 0;
        var series = Enumerable.Range(0, variationCount).Select(i =>
        {
            var snapshots = goal.CutOffs.Select(c => c.Variations[i]).ToList();
            var results = calculations.Select(c => c.Variations[i]).ToList();
            return new VariationTimeSeries
            {
                VariationId = snapshots[0].Counts.Id,
                EvaluationUsers = snapshots.Select(s => s.Counts.EvaluationUsers).ToList(),
                EvaluationEvents = snapshots.Select(s => s.EvaluationEvents).ToList(),
                GoalUsers = snapshots.Select(s => s.Counts.GoalUsers).ToList(),
                GoalEvents = snapshots.Select(s => s.Counts.GoalEvents).ToList(),
                ValueSum = snapshots.Select(s => ExperimentCalculator.FiniteOrNull(s.Counts.ValueSum)).ToList(),
                CvrMedian = results.Select(r => r.Cvr?.Median ?? 0).ToList(),
                CvrP025 = results.Select(r => r.Cvr?.P025 ?? 0).ToList(),
                CvrP975 = results.Select(r => r.Cvr?.P975 ?? 0).ToList(),
                ConversionRate = snapshots.Select(s => s.Counts.EvaluationUsers > 0 ? (double)s.Counts.GoalUsers / s.Counts.EvaluationUsers : 0).ToList(),
                ValuePerUser = snapshots.Select(s => s.Counts.GoalUsers > 0 ? ExperimentCalculator.FiniteOrNull(s.Counts.ValueSum) / s.Counts.GoalUsers : 0).ToList(),
                ValuePerUserMedian = results.Select(r => r.Value?.Median ?? 0).ToList(),
                ValuePerUserP025 = results.Select(r => r.Value?.P025 ?? 0).ToList(),
                ValuePerUserP975 = results.Select(r => r.Value?.P975 ?? 0).ToList(),
            };
        }).ToList();
        return new GoalResultDocument
        {
            GoalId = goal.GoalId,
            Calculation = calculations.Count > 0 ? calculations[^1] : ExperimentCalculator.Calculate([]),
            TimeSeries = new GoalTimeSeries
            {
                TotalCounts = goal.CutOffs.Count,
                Timestamps = goal.CutOffs.Select(c => c.EndAt).ToList(),
                Variations = series,
            },
        };
    }
}
