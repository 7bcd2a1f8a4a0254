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
        var section = configuration.GetSection(SchedulerOptions.SectionName);
        // Checked before the binder, which would read "Memory,Database" as Database and "1" as a member.
        var store = EnumeratedSettings.Read<SchedulerStore>(configuration, $"{SchedulerOptions.SectionName}:Store", "a scheduler store");
        var provider = EnumeratedSettings.Read<SchedulerDatabaseProvider>(configuration, $"{SchedulerOptions.SectionName}:Provider", "a scheduler database");
        var options = new SchedulerOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new SettingsException($"Scheduler: {ex.Message}");
        }
        options.Store = store ?? (database.Provider == DatabaseProvider.MySql ? SchedulerStore.Database : SchedulerStore.Memory);
        if (options.Store == SchedulerStore.Database)
        {
            options.Provider = provider ?? (database.Provider == DatabaseProvider.MySql ? SchedulerDatabaseProvider.MySql : SchedulerDatabaseProvider.Sqlite);
            if (string.IsNullOrEmpty(options.ConnectionString)) options.ConnectionString = database.EffectiveConnectionString;
        }
        var errors = options.GetErrors();
        if (errors.Count > 0) throw new SettingsException(string.Join(" ", errors));
        return options;
    }
}
