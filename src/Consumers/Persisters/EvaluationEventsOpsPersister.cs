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
/// Counts distinct users per event-rate clause who were served the clause's variation of the rule's
/// flag version (reference §5, exact instead of HyperLogLog).
/// </summary>
public sealed class EvaluationEventsOpsPersister(
    LiveDefinitions definitions, PersistersDatabase database, OpsCounterStore store, AutoOpsRuleAssessor assessor, PersisterMetrics metrics,
    IOptions<PersisterOptions> options, TimeProvider clock, ILogger<EvaluationEventsOpsPersister> logger)
    : OpsCounting<EvaluationEvent>(definitions, database, store, assessor, metrics, options, clock, logger), IConsumer<Batch<EvaluationEventBatch>>
{
    public Task Consume(ConsumeContext<Batch<EvaluationEventBatch>> context) =>
        CountAsync(PersisterInput<EvaluationEvent>.FromEnvelopes(context.Message, m => m.Events), context);

    protected override string Name => PersisterQueues.EvaluationOps;

    protected override string IdOf(EvaluationEvent e) => e.Id;

    protected override SkipReason? Map(EvaluationEvent e, EventValidator validator, LiveDefinitions.Snapshot live, Action<OpsCounterKey, string> into) =>
        validator.Check(e, out var user) ?? Relevance.CountersOfEvaluation(live, e, key => into(key, user));
}
