using Persisters.Persistence;
using Persisters.Scheduling;

namespace Persisters.Host.Configuration;

public static class SchedulerSettings
{
    /// <summary>
    /// The <c>Scheduler</c> section (<see cref="Settings.Read{T}"/>). Unless set, the store follows the application database: clustered in
    /// MySQL (durable, fires once across replicas), Quartz's RAM store on the embedded SQLite default; so do the database and its
    /// connection string.
    /// </summary>
    /// <exception cref="SettingsException">The bad settings, each named by its path and environment form.</exception>
    public static SchedulerOptions Read(IConfiguration configuration, DatabaseOptions database) =>
        Settings.Read<SchedulerOptions>(configuration, SchedulerOptions.SectionName, (options, section) =>
        {
            var mySql = database.Provider == DatabaseProvider.MySql;
            if (string.IsNullOrWhiteSpace(section[nameof(SchedulerOptions.Store)])) options.Store = mySql ? SchedulerStore.Database : SchedulerStore.Memory;
            if (options.Store != SchedulerStore.Database) return;
            if (string.IsNullOrWhiteSpace(section[nameof(SchedulerOptions.Provider)]))
            {
                options.Provider = mySql ? SchedulerDatabaseProvider.MySql : SchedulerDatabaseProvider.Sqlite;
            }
            if (string.IsNullOrEmpty(options.ConnectionString)) options.ConnectionString = database.EffectiveConnectionString;
        });
}
