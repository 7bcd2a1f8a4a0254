using Microsoft.Extensions.Options;

namespace Persisters.Consumers.Persisters;

public sealed class EvaluationEventsOpsPersisterDefinition(IOptions<PersisterOptions> options)
    : PersisterDefinition<EvaluationEventsOpsPersister>(options);
