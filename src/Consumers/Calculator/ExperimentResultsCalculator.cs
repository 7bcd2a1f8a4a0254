using MassTransit;
using Persisters.Contracts;

namespace Persisters.Consumers.Calculator;

/// <summary>
/// Calculates one experiment's results and replaces its <c>experiment_result</c> document. Unknown and no longer
/// live experiments are skipped with a log line (nothing to retry); database failures are retried by the definition,
/// and so is a live experiment whose window has not opened on this clock yet (<see cref="CalculationWindowNotOpenException"/>):
/// a requested calculation is written once the window opens, or ends in <c>experiment-results-calculator_error</c> naming why.
/// </summary>
public sealed class ExperimentResultsCalculator(ExperimentResultsService service) : IConsumer<CalculateExperimentResults>
{
    public async Task Consume(ConsumeContext<CalculateExperimentResults> context)
    {
        var report = await service.CalculateAsync(context.Message.ExperimentId, context.CancellationToken);
        if (report.Outcome == CalculationOutcome.NotStarted)
            throw new CalculationWindowNotOpenException(context.Message.ExperimentId, report.Detail);
    }
}
