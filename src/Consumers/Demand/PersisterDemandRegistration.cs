using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Persisters.Consumers.Demand;

/// <summary>Registration of the on-demand persister endpoints (<c>Persisters:OnDemand</c>).</summary>
public static class PersisterDemandRegistration
{
    /// <summary>
    /// The demand controller (a bus observer that reconciles once the bus has started) and its periodic reconcile.
    /// Use with <c>AddPersisters(onDemand: true)</c> and <see cref="AddPersisterDemandController"/>.
    /// </summary>
    public static IServiceCollection AddPersisterDemandServices(this IServiceCollection services)
    {
        services.TryAddSingleton<PersisterDemandController>();
        // Before AddPersisterServices, whose always-connected default is only a TryAdd.
        services.Replace(ServiceDescriptor.Singleton<IPersisterDemand>(sp => sp.GetRequiredService<PersisterDemandController>()));
        services.AddPersisterServices();
        services.AddPersisterQueueRetention();
        services.AddBusObserver(sp => sp.GetRequiredService<PersisterDemandController>());
        services.AddHostedService<PersisterDemandReconciler>();
        return services;
    }

    /// <summary>
    /// The persister queue retention (<c>Persisters:QueueRetention</c>), applied once the bus has started, in on-demand and
    /// always-connected mode alike, and the transport's <see cref="IReceiveEndpointTopologyDeployer"/> default (in-memory;
    /// the transport switch registers its own first).
    /// </summary>
    public static IServiceCollection AddPersisterQueueRetention(this IServiceCollection services)
    {
        services.AddPersisterServices();
        services.TryAddSingleton<IReceiveEndpointTopologyDeployer, InMemoryReceiveEndpointTopologyDeployer>();
        if (services.Any(d => d.ServiceType == typeof(PersisterQueueRetention))) return services;
        services.AddSingleton<PersisterQueueRetention>();
        services.AddBusObserver(sp => sp.GetRequiredService<PersisterQueueRetention>());
        return services;
    }

    /// <summary>
    /// The <see cref="global::Persisters.Contracts.PersisterDemandChanged"/> consumer on a temporary (auto-delete) endpoint
    /// unique to this process, so every replica hears every change.
    /// </summary>
    public static IBusRegistrationConfigurator AddPersisterDemandController(this IBusRegistrationConfigurator x, string? instanceId = null)
    {
        var id = instanceId ?? NewInstanceId();
        x.AddConsumer<PersisterDemandChangedConsumer>().Endpoint(e =>
        {
            e.InstanceId = id;
            e.Temporary = true;
        });
        return x;
    }

    private static string NewInstanceId() => Guid.NewGuid().ToString("N")[..12];
}
