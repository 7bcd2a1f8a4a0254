using Persisters.Host.Hosting;
using Persisters.Persistence;

namespace Persisters.Host.Cli;

/// <summary>The <c>run</c> (default) and <c>migrate</c> verbs.</summary>
public static class ServiceCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = StripVerb(args), ContentRootPath = AppContext.BaseDirectory });
        var settings = builder.AddPersistersSettings();
        builder.AddPersistersServices(settings, withPersisters: true);
        builder.AddPersistersHealth();
        await using var app = builder.Build();
        app.Services.ValidatePersisterOptions();
        app.MapPersistersEndpoints();
        await app.Services.MigrateIfConfiguredAsync(ct);
        app.Logger.LogInformation("Persisters starting: transport {Transport}, database {Provider}, scheduler store {SchedulerStore}",
            settings.Transport.Kind, settings.Database.Provider, settings.Scheduler.Store);
        await app.RunAsync();
        return 0;
    }

    public static async Task<int> MigrateAsync(string[] args, CancellationToken ct)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = StripVerb(args),
            ContentRootPath = AppContext.BaseDirectory,
        });
        var settings = builder.AddPersistersSettings();
        builder.Services.AddPersistersDatabase(settings.Database);
        using var host = builder.Build();
        await host.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
        return 0;
    }

    // The verb itself is not a configuration argument.
    private static string[] StripVerb(string[] args) => args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
}
