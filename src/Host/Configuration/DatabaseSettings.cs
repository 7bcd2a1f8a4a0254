using Persisters.Persistence;

namespace Persisters.Host.Configuration;

public static class DatabaseSettings
{
    /// <summary>Reads and checks the <c>Database</c> section; throws a <see cref="SettingsException"/> naming the bad setting.</summary>
    public static DatabaseOptions Read(IConfiguration configuration)
    {
        var section = configuration.GetSection(DatabaseOptions.SectionName);
        var options = new DatabaseOptions();
        if (EnumeratedSettings.Read<DatabaseProvider>(configuration, $"{DatabaseOptions.SectionName}:Provider", "a database") is { } provider) options.Provider = provider;
        options.ConnectionString = section["ConnectionString"];
        if (options.Provider == DatabaseProvider.MySql && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new SettingsException(
                "Database:ConnectionString is required when Database:Provider is MySql (environment: Database__ConnectionString, or Database__ConnectionStringFile).");
        }
        if (section["ServerVersion"] is { Length: > 0 } version)
        {
            if (!Microsoft.EntityFrameworkCore.ServerVersion.TryParse(version, out _))
            {
                throw new SettingsException($"Database:ServerVersion '{version}' is not a server version such as 10.11.0-mariadb or 8.0.36-mysql.");
            }
            options.ServerVersion = version;
        }
        options.MigrateOnStart = ReadBool(section, "MigrateOnStart");
        if (section["CommandTimeoutSeconds"] is { Length: > 0 } timeout)
        {
            if (!int.TryParse(timeout, out var t) || t is < 1 or > 3600)
            {
                throw new SettingsException($"Database:CommandTimeoutSeconds '{timeout}' must be a whole number from 1 to 3600.");
            }
            options.CommandTimeoutSeconds = t;
        }
        if (section["MaxConcurrentWrites"] is { Length: > 0 } writes)
        {
            if (!int.TryParse(writes, out var w) || w is < 1 or > 256)
            {
                throw new SettingsException($"Database:MaxConcurrentWrites '{writes}' must be a whole number from 1 to 256.");
            }
            options.MaxConcurrentWrites = w;
        }
        return options;
    }

    private static bool? ReadBool(IConfigurationSection section, string key) =>
        section[key] switch
        {
            null or "" => null,
            var v when bool.TryParse(v, out var b) => b,
            var v => throw new SettingsException($"{section.Path}:{key} '{v}' is not true or false."),
        };
}
