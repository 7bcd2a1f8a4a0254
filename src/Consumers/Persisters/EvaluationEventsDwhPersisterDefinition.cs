using Microsoft.Extensions.Options;

namespace Persisters.Consumers.Persisters;

public sealed class EvaluationEventsDwhPersisterDefinition(IOptions<PersisterOptions> options)
    : PersisterDefinition<EvaluationEventsDwhPersister>(options);
