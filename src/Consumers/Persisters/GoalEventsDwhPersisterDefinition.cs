using Microsoft.Extensions.Options;

namespace Persisters.Consumers.Persisters;

public sealed class GoalEventsDwhPersisterDefinition(IOptions<PersisterOptions> options)
    : PersisterDefinition<GoalEventsDwhPersister>(options);
