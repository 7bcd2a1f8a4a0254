using Quartz;

namespace Persisters.Scheduling;

/// <summary>Fires when the memory of an early cancellation expires; the trigger's deletion is all that is wanted.</summary>
internal sealed class TombstoneJob : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
