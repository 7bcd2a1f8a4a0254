using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Persisters.Consumers;
using Persisters.Consumers.AutoOps;
using Persisters.Consumers.Calculator;
using Persisters.Consumers.Demand;
using Persisters.Host.Configuration;
using Persisters.Host.Pages;
using Persisters.Persistence;
using Persisters.Sagas;
using Persisters.Scheduling;

namespace Persisters.Host.Hosting;

/// <summary>The checked settings every verb starts from.</summary>
public sealed record PersistersSettings(
    TransportOptions Transport, DatabaseOptions Database, SchedulerOptions Scheduler, PersisterOptions Persisters, ExperimentLifecycleOptions Lifecycle);

/// <summary>The composition root: configuration, database, bus and the persisters, for every verb.</summary>
public static class PersistersHostExtensions
{
    /// <summary>Environment variables, then "*File" secrets; reads and checks every section (<see cref="Settings"/>).</summary>
    public static PersistersSettings AddPersistersSettings(this IHostApplicationBuilder builder)
    {
        SecretFiles.Apply(builder.Configuration);
        SettingsPreflight.Check(builder);
        var (persisters, lifecycle) = ApplicationSettings.Add(builder.Services, builder.Configuration);
        var transport = TransportOptions.Read(builder.Configuration);
        var database = DatabaseSettings.Read(builder.Configuration);
        var scheduler = SchedulerSettings.Read(builder.Configuration, database);
        builder.Services.AddSingleton(transport);
        builder.Services.AddSingleton(scheduler);
        return new PersistersSettings(transport, database, scheduler, persisters, lifecycle);
    }

    /// <summary>Database, persister services and the bus. Without consumers the bus only publishes (the load verb).</summary>
    public static IHostApplicationBuilder AddPersistersServices(this IHostApplicationBuilder builder, PersistersSettings settings, bool withPersisters)
    {
        builder.Services.AddPersistersDatabase(settings.Database);
        // A publish-only bus (load --publish-only, the operator verbs) runs no background work such as the goal retry worker.
        if (withPersisters) builder.Services.AddPersisterServices();
        // Persisters:OnDemand (default on): the demand controller connects the persister endpoints only while something needs them.
        var onDemand = withPersisters && settings.Persisters.OnDemand;
        if (onDemand) builder.Services.AddPersisterDemandServices();
        else if (withPersisters) builder.Services.AddPersisterQueueRetention();
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            // StopTimeout and ConsumerStopTimeout follow the host's shutdown timeout (SettingsPreflight).
        });
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            // Readiness uses BrokerHealthCheck; MassTransit's own check stays under the tag "masstransit" only.
            x.ConfigureHealthCheckOptions(o => o.Tags.Add("masstransit"));
            // MassTransit (8.4+) reports anonymous usage to usage-tracking.masstransit.io after start. A self-hosted service makes no
            // outbound call its operator did not ask for, so it is off; MASSTRANSIT_USAGE_TELEMETRY=true (read by MassTransit) opts in.
            x.ConfigureUsageTelemetryOptions(o => o.Enabled = false);
            if (withPersisters)
            {
                // The service: persisters, the experiment lifecycle and the durable scheduler its timers need.
                x.AddDurableMessageScheduler(settings.Scheduler);
                x.AddExperimentLifecycle(settings.Lifecycle);
                x.AddAutoOpsRules();
                x.AddPersisters(onDemand);
                if (onDemand) x.AddPersisterDemandController();
                x.AddExperimentCalculator();
            }
            x.UsingPersistersTransport(settings.Transport, withScheduler: withPersisters);
        });
        return builder;
    }

    /// <summary>
    /// Liveness and readiness checks (<see cref="ServiceDefaults.AddServiceDefaults{TBuilder}"/> adds them). Readiness (503 while
    /// any check is unhealthy) = the broker (<see cref="BrokerHealthCheck"/>), the database (<see cref="DatabaseProbe"/>, probed in
    /// the background) and the first demand read; every check answers from memory, so a readiness answer never waits on a server.
    /// </summary>
    internal static IHostApplicationBuilder AddPersistersHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DatabaseProbe>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DatabaseProbe>());
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<BrokerHealthCheck>("broker", tags: ["ready"])
            .AddCheck<PersisterDemandHealthCheck>("persister-demand", tags: ["ready"]);
        return builder;
    }

    /// <summary>The service defaults' endpoints (health, metrics), the landing page and the results pages.</summary>
    public static WebApplication MapPersistersEndpoints(this WebApplication app)
    {
        app.MapDefaultEndpoints();
        app.MapPersistersPages(); // "/" (links) and the results pages /experiments, /experiments/{id}
        return app;
    }

    /// <summary>Applies migrations before anything consumes, when configured (default on SQLite).</summary>
    public static async Task MigrateIfConfiguredAsync(this IServiceProvider services, CancellationToken ct)
    {
        var database = services.GetRequiredService<DatabaseOptions>();
        if (database.EffectiveMigrateOnStart)
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
        }
    }

    /// <summary>Fails with the validator's message when an options section is invalid (<see cref="Settings.ValidateSettings"/>).</summary>
    public static void ValidatePersisterOptions(this IServiceProvider services) => services.ValidateSettings();
}
