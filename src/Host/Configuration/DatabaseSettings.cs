using Persisters.Persistence;

namespace Persisters.Host.Configuration;

public static class DatabaseSettings
{
    /// <summary>Reads and checks the <c>Database</c> section (<see cref="Settings.Read{T}"/>).</summary>
    /// <exception cref="SettingsException">The bad settings, each named by its path and environment form.</exception>
    public static DatabaseOptions Read(IConfiguration configuration) => Settings.Read<DatabaseOptions>(configuration, DatabaseOptions.SectionName);
}
