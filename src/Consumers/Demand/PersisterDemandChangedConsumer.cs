using MassTransit;
using Microsoft.Extensions.Logging;
using Persisters.Contracts;

namespace Persisters.Consumers.Demand;

/// <summary>
/// Hears <see cref="PersisterDemandChanged"/> on a temporary endpoint of this process (every replica has its own),
/// drops the cached definitions and reconciles the persister endpoints. A failure is logged, not retried: the
/// periodic reconcile converges within one interval.
/// </summary>
public sealed class PersisterDemandChangedConsumer(PersisterDemandController controller, ILogger<PersisterDemandChangedConsumer> logger)
    : IConsumer<PersisterDemandChanged>
{
    public async Task Consume(ConsumeContext<PersisterDemandChanged> context)
    {
        var m = context.Message;
        try
        {
            var what = m.RuleId is { } rule ? $"auto-ops rule {rule} is {(m.IsLive ? "active" : "inactive")}" : $"experiment {m.ExperimentId} is {m.Status} (live: {m.IsLive})";
            await controller.OnDemandChangedAsync(what, context.CancellationToken);
        }
        catch (Exception ex) when (!context.CancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Persister demand reconcile after a change of experiment {ExperimentId} / rule {RuleId} failed; the periodic reconcile will try again", m.ExperimentId, m.RuleId);
        }
    }
}
