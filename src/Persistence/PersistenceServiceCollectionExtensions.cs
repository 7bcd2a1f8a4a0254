using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Persisters.Persistence.Writers;

namespace Persisters.Persistence;

public static class PersistenceServiceCollectionExtensions
{
    /// <summary>Registers the provider-specific context factory, the SQL dialect and the hot-path stores.</summary>
    public static IServiceCollection AddPersistersDatabase(this IServiceCollection services, DatabaseOptions options)
    {
        services.AddSingleton(options);
        switch (options.Provider)
        {
            case DatabaseProvider.MySql:
                services.AddPooledDbContextFactory<MySqlPersistersDbContext>(o => ConfigureMySql(o, options));
                services.AddSingleton<IPersistersDbContextFactory>(sp =>
                    new PersistersDbContextFactory<MySqlPersistersDbContext>(sp.GetRequiredService<IDbContextFactory<MySqlPersistersDbContext>>()));
                services.AddSingleton<SqlDialect>(SqlDialect.MySql);
                break;
            case DatabaseProvider.Sqlite:
                services.AddPooledDbContextFactory<SqlitePersistersDbContext>(o => ConfigureSqlite(o, options));
                services.AddSingleton<IPersistersDbContextFactory>(sp =>
                    new PersistersDbContextFactory<SqlitePersistersDbContext>(sp.GetRequiredService<IDbContextFactory<SqlitePersistersDbContext>>()));
                services.AddSingleton<SqlDialect>(SqlDialect.Sqlite);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Provider, "Unknown Database:Provider");
        }

        services.AddSingleton<PersistersDatabase>();
        services.AddSingleton<EventStore>();
        services.AddSingleton<OpsCounterStore>();
        services.AddSingleton<AutoOpsTriggerStore>();
        services.AddSingleton<DefinitionStore>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<DatabaseMigrator>();
        return services;
    }

    public static void ConfigureMySql(DbContextOptionsBuilder o, DatabaseOptions options)
    {
        o.UseMySql(options.EffectiveConnectionString, ServerVersion.Parse(options.ServerVersion), my =>
        {
            my.CommandTimeout(options.CommandTimeoutSeconds);
            my.EnableRetryOnFailure(5, TimeSpan.FromSeconds(2), null);
            my.MigrationsHistoryTable("__ef_migrations_history");
        });
        o.ConfigureWarnings(w => w.Ignore(CoreEventId.SensitiveDataLoggingEnabledWarning));
        // DDL names the server's own NO PAD binary collation (MariaDB and MySQL name it differently).
        o.ReplaceService<IMigrationsSqlGenerator, PersistersMySqlMigrationsSqlGenerator>();
    }

    public static void ConfigureSqlite(DbContextOptionsBuilder o, DatabaseOptions options)
    {
        o.UseSqlite(options.EffectiveConnectionString, s =>
        {
            s.CommandTimeout(options.CommandTimeoutSeconds);
            s.MigrationsHistoryTable("__ef_migrations_history");
        });
    }
}
