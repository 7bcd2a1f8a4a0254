using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Persisters.Consumers.AutoOps;
using Persisters.Consumers.Definitions;
using Persisters.Consumers.Diagnostics;
using Persisters.Consumers.Validation;
using Persisters.Contracts;
using Persisters.Persistence.Writers;

namespace Persisters.Consumers.Persisters;

/// <summary>
/// Counts distinct users per event-rate clause who reached the clause's goal while the rule watches
/// its flag version (reference §5, exact instead of HyperLogLog).
/// </summary>
public sealed class GoalEventsOpsPersister(
    LiveDefinitions definitions, PersistersDatabase database, OpsCounterStore store, AutoOpsRuleAssessor assessor, PersisterMetrics metrics,
    IOptions<PersisterOptions> options, TimeProvider clock, ILogger<GoalEventsOpsPersister> logger)
    : OpsCounting<GoalEvent>(definitions, database, store, assessor, metrics, options, clock, logger), IConsumer<Batch<GoalEventBatch>>
{
    public Task Consume(ConsumeContext<Batch<GoalEventBatch>> context) =>
        CountAsync(PersisterInput<GoalEvent>.FromEnvelopes(context.Message, m => m.Events), context);

    protected override string Name => PersisterQueues.GoalOps;

    protected override string IdOf(GoalEvent e) => e.Id;

    protected override SkipReason? Map(GoalEvent e, EventValidator validator, LiveDefinitions.Snapshot live, Action<OpsCounterKey, string> into) =>
        validator.Check(e, out var user) ?? Relevance.CountersOfGoal(live, e, key => into(key, user));
}
