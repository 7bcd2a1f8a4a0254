using MassTransit;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Persisters.Consumers;
using Persisters.Consumers.AutoOps;
using Persisters.Consumers.Calculator;
using Persisters.Consumers.Demand;
using Persisters.Host.Configuration;
using Persisters.Persistence;
using Persisters.Sagas;
using Persisters.Sagas.AutoOps;
using Persisters.Scheduling;

namespace Persisters.Host.Hosting;

/// <summary>The checked settings every verb starts from.</summary>
public sealed record PersistersSettings(TransportOptions Transport, DatabaseOptions Database, SchedulerOptions Scheduler);

/// <summary>The composition root: configuration, database, bus and the persisters, for every verb.</summary>
public static class PersistersHostExtensions
{
    /// <summary>Environment variables, then "*File" secrets; checks the transport and database sections.</summary>
    public static PersistersSettings AddPersistersSettings(this IHostApplicationBuilder builder)
    {
        SecretFiles.Apply(builder.Configuration);
        SettingsPreflight.Check(builder);
        var transport = TransportOptions.Read(builder.Configuration);
        var database = DatabaseSettings.Read(builder.Configuration);
        var scheduler = SchedulerSettings.Read(builder.Configuration, database);
        builder.Services.AddSingleton(transport);
        builder.Services.AddSingleton(scheduler);
        builder.Services.AddOptions<PersisterOptions>().BindConfiguration(PersisterOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PersisterOptions>, PersisterOptionsValidator>();
        builder.Services.AddOptions<CalculatorOptions>().BindConfiguration(CalculatorOptions.SectionName);
        builder.Services.AddOptions<KillSwitchOptions>().BindConfiguration(KillSwitchOptions.SectionName);
        return new PersistersSettings(transport, database, scheduler);
    }

    /// <summary>Database, persister services and the bus. Without consumers the bus only publishes (the load verb).</summary>
    public static IHostApplicationBuilder AddPersistersServices(this IHostApplicationBuilder builder, PersistersSettings settings, bool withPersisters)
    {
        builder.Services.AddPersistersDatabase(settings.Database);
        // A publish-only bus (load --publish-only, the operator verbs) runs no background work such as the goal retry worker.
        if (withPersisters) builder.Services.AddPersisterServices();
        // Persisters:OnDemand (default on): the demand controller connects the persister endpoints only while something needs them.
        var onDemand = withPersisters && builder.Configuration.GetValue($"{PersisterOptions.SectionName}:OnDemand", defaultValue: true);
        if (onDemand) builder.Services.AddPersisterDemandServices();
        else if (withPersisters) builder.Services.AddPersisterQueueRetention();
        builder.Services.Configure<MassTransitHostOptions>(o =>
        {
            o.WaitUntilStarted = true;
            // StopTimeout follows the host's shutdown timeout (SettingsPreflight).
            // A consumer whose channel closed (broker restart) waits for its deliveries before the endpoint reconnects; a batch
            // persister's deliveries can wait forever for acks on the dead channel. Cancel them after 15 s instead: their
            // messages were not acknowledged, so the broker redelivers them and the idempotent writes store each once.
            o.ConsumerStopTimeout = TimeSpan.FromSeconds(15);
        });
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            // Readiness uses BrokerHealthCheck; MassTransit's own check stays under the tag "masstransit" only.
            x.ConfigureHealthCheckOptions(o => o.Tags.Add("masstransit"));
            if (withPersisters)
            {
                // The service: persisters, the experiment lifecycle and the durable scheduler its timers need.
                x.AddDurableMessageScheduler(settings.Scheduler);
                x.AddExperimentLifecycle(LifecycleOptions(builder.Configuration));
                x.AddAutoOpsRules();
                x.AddPersisters(onDemand);
                if (onDemand) x.AddPersisterDemandController();
                x.AddExperimentCalculator();
            }
            x.UsingPersistersTransport(settings.Transport, withScheduler: withPersisters);
        });
        return builder;
    }

    private static ExperimentLifecycleOptions LifecycleOptions(IConfiguration configuration)
    {
        var options = new ExperimentLifecycleOptions();
        configuration.GetSection(ExperimentLifecycleOptions.SectionName).Bind(options);
        // The saga and the persisters must agree on how long a stopped experiment takes late events.
        if (configuration.GetSection(PersisterOptions.SectionName)["LateEventTail"] is { Length: > 0 } tail && TimeSpan.TryParse(tail, out var t))
        {
            options.LateEventTail = t;
        }
        var errors = options.GetErrors();
        if (errors.Count > 0) throw new SettingsException(string.Join(" ", errors));
        return options;
    }

    /// <summary>
    /// Liveness, readiness and Prometheus metrics. Readiness (503 while any check is unhealthy) = the broker
    /// (<see cref="BrokerHealthCheck"/>), the database (<see cref="DatabaseProbe"/>, probed in the background) and the first
    /// demand read; every check answers from memory, so a readiness answer never waits on a server.
    /// </summary>
    public static IHostApplicationBuilder AddPersistersHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DatabaseProbe>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DatabaseProbe>());
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<BrokerHealthCheck>("broker", tags: ["ready"])
            .AddCheck<PersisterDemandHealthCheck>("persister-demand", tags: ["ready"]);
        builder.Services.AddPersistersMetrics();
        return builder;
    }

    public static WebApplication MapPersistersEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.Services.StartMetrics();
        app.MapMetricsEndpoint();
        app.MapGet("/", () => Results.Text("Persisters: /health/live, /health/ready, /metrics\n"));
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

    /// <summary>Fails with the validator's message when an options section is invalid.</summary>
    public static void ValidatePersisterOptions(this IServiceProvider services)
    {
        try
        {
            _ = services.GetRequiredService<IOptions<PersisterOptions>>().Value;
            _ = services.GetRequiredService<IOptions<CalculatorOptions>>().Value;
        }
        catch (OptionsValidationException ex)
        {
            throw new SettingsException(string.Join(" ", ex.Failures));
        }
        if (services.GetRequiredService<IOptions<KillSwitchOptions>>().Value.GetErrors() is { Count: > 0 } errors)
        {
            throw new SettingsException(string.Join(" ", errors));
        }
    }
}
