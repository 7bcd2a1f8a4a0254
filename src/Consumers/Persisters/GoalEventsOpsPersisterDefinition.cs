using Microsoft.Extensions.Options;

namespace Persisters.Consumers.Persisters;

public sealed class GoalEventsOpsPersisterDefinition(IOptions<PersisterOptions> options)
    : PersisterDefinition<GoalEventsOpsPersister>(options);
