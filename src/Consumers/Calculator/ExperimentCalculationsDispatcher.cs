using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Persisters.Contracts;
using Persisters.Persistence;

namespace Persisters.Consumers.Calculator;

/// <summary>
/// The recurring tick: one <see cref="CalculateExperimentResults"/> per live experiment (running, or stopped within the
/// late-event tail) to the calculator queue, so that every replica's calculator shares the work.
/// </summary>
public sealed class ExperimentCalculationsDispatcher(
    DefinitionStore store,
    IOptions<PersisterOptions> persisterOptions,
    TimeProvider clock,
    ILogger<ExperimentCalculationsDispatcher> logger) : IConsumer<RunExperimentCalculations>
{
    public async Task Consume(ConsumeContext<RunExperimentCalculations> context)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var live = await store.LoadLiveExperimentsAsync(now, persisterOptions.Value.LateEventTail, context.CancellationToken);
        if (live.Count == 0)
        {
            logger.LogDebug("No live experiment to calculate");
            return;
        }
        var endpoint = await context.GetSendEndpoint(CalculatorQueues.Address);
        await endpoint.SendBatch(live.Select(x => new CalculateExperimentResults { ExperimentId = x.ExperimentId }), context.CancellationToken);
        logger.LogInformation("Requested results of {Count} live experiments", live.Count);
    }
}
