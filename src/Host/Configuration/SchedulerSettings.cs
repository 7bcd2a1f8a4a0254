using Microsoft.Extensions.Configuration;
using Persisters.Persistence;
using Persisters.Scheduling;

namespace Persisters.Host.Configuration;

public static class SchedulerSettings
{
    /// <summary>
    /// The <c>Scheduler</c> section. Unless set, the store follows the application database: clustered in
    /// MySQL (durable, fires once across replicas), Quartz's RAM store on the embedded SQLite default.
    /// </summary>
    public static SchedulerOptions Read(IConfiguration configuration, DatabaseOptions database)
    {
        var section = configuration.GetSection("Scheduler");
        var options = new SchedulerOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new SettingsException($"Scheduler: {ex.Message}");
        }
        if (string.IsNullOrEmpty(section["Store"]) && database.Provider == DatabaseProvider.MySql)
        {
            options.Store = SchedulerStore.Database;
        }
        if (options.Store == SchedulerStore.Database)
        {
            if (string.IsNullOrEmpty(section["Provider"]))
            {
                options.Provider = database.Provider == DatabaseProvider.MySql ? SchedulerDatabaseProvider.MySql : SchedulerDatabaseProvider.Sqlite;
            }
            if (string.IsNullOrEmpty(options.ConnectionString)) options.ConnectionString = database.EffectiveConnectionString;
        }
        var errors = options.GetErrors();
        if (errors.Count > 0) throw new SettingsException(string.Join(" ", errors));
        return options;
    }
}
