using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Persisters.Consumers.AutoOps;
using Persisters.Consumers.Definitions;
using Persisters.Consumers.Diagnostics;
using Persisters.Consumers.Persisters;
using Polly;

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
        services.TryAddSingleton<IPersisterDemand, AlwaysConnectedPersisters>();
        services.TryAddSingleton<GoalRetryWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<GoalRetryWorker>());
        services.AddKillSwitch();
        return services;
    }

    /// <summary>
    /// The kill switch's actions: the evaluator the OPS persisters call, the outbox dispatcher (a hosted service on every host) and the
    /// webhook client, whose transient failures (5xx, 408, 429, timeouts) are retried 3 times with exponential backoff from 200 ms,
    /// each attempt bounded by 5 s and the whole call by 20 s, on the wall clock. Settings: <see cref="AutoOpsOptions"/> (bound by the host).
    /// </summary>
    public static IServiceCollection AddKillSwitch(this IServiceCollection services)
    {
        services.AddOptions<AutoOpsOptions>();
        services.TryAddSingleton<AutoOpsRuleAssessor>();
        services.TryAddSingleton<TriggerWebhook>();
        services.TryAddSingleton<AutoOpsTriggerDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<AutoOpsTriggerDispatcher>());
        services.AddHttpClient(TriggerWebhook.ClientName).AddResilienceHandler("webhook", b =>
        {
            // Wall-clock waits, whatever TimeProvider the application registers for its own times.
            b.TimeProvider = TimeProvider.System;
            b.AddTimeout(TimeSpan.FromSeconds(20));
            b.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 3,
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            });
            b.AddTimeout(TimeSpan.FromSeconds(5));
        });
        return services;
    }

    /// <summary>Registers the persisters of <see cref="PersisterCatalogue"/>, each on its own queue with its definition.</summary>
    /// <param name="onDemand">
    /// Leave them out of <c>ConfigureEndpoints</c>: the demand controller (<c>Demand.PersisterDemandController</c>)
    /// connects and stops their endpoints.
    /// </param>
    public static IBusRegistrationConfigurator AddPersisters(this IBusRegistrationConfigurator x, bool onDemand = false)
    {
        foreach (var persister in PersisterCatalogue.All)
        {
            var consumer = persister.Register(x);
            if (onDemand) consumer.ExcludeFromConfigureEndpoints();
        }
        return x;
    }
}
