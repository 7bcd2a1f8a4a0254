using MassTransit;
using Persisters.Contracts;

namespace Persisters.Consumers.Calculator;

/// <summary>
/// Calculates one experiment's results and replaces its <c>experiment_result</c> document. Unknown and no longer
/// live experiments are skipped with a log line (nothing to retry); database failures are retried by the definition.
/// </summary>
public sealed class ExperimentResultsCalculator(ExperimentResultsService service) : IConsumer<CalculateExperimentResults>
{
    public Task Consume(ConsumeContext<CalculateExperimentResults> context) =>
        service.CalculateAsync(context.Message.ExperimentId, context.CancellationToken);
}
