using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Persisters.Consumers.Definitions;
using Persisters.Consumers.Diagnostics;
using Persisters.Consumers.Persisters;

namespace Persisters.Consumers;

public static class ConsumersServiceCollectionExtensions
{
    /// <summary>The services the persisters need (definitions cache, linker, metrics, the goal retry worker).</summary>
    public static IServiceCollection AddPersisterServices(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PersisterMetrics>();
        services.TryAddSingleton<LiveDefinitions>();
        services.TryAddSingleton<GoalLinker>();
        services.TryAddSingleton<PersisterInFlightLimit>();
        services.TryAddSingleton<GoalRetryWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<GoalRetryWorker>());
        return services;
    }

    /// <summary>Registers the four persisters, each on its own queue with its definition.</summary>
    /// <param name="onDemand">
    /// Leave them out of <c>ConfigureEndpoints</c>: the demand controller (<c>Demand.PersisterDemandController</c>)
    /// connects and stops their endpoints.
    /// </param>
    public static IBusRegistrationConfigurator AddPersisters(this IBusRegistrationConfigurator x, bool onDemand = false)
    {
        var evaluationDwh = x.AddConsumer<EvaluationEventsDwhPersister, EvaluationEventsDwhPersisterDefinition>();
        var goalDwh = x.AddConsumer<GoalEventsDwhPersister, GoalEventsDwhPersisterDefinition>();
        var evaluationOps = x.AddConsumer<EvaluationEventsOpsPersister, EvaluationEventsOpsPersisterDefinition>();
        var goalOps = x.AddConsumer<GoalEventsOpsPersister, GoalEventsOpsPersisterDefinition>();
        if (onDemand)
        {
            evaluationDwh.ExcludeFromConfigureEndpoints();
            goalDwh.ExcludeFromConfigureEndpoints();
            evaluationOps.ExcludeFromConfigureEndpoints();
            goalOps.ExcludeFromConfigureEndpoints();
        }
        return x;
    }
}
