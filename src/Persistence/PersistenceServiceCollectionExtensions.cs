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
                AddProvider<MySqlPersistersDbContext>(services, o => ConfigureMySql(o, options), SqlDialect.MySql);
                break;
            case DatabaseProvider.Sqlite:
                AddProvider<SqlitePersistersDbContext>(services, o => ConfigureSqlite(o, options), SqlDialect.Sqlite);
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

    /// <summary>One provider: its pooled context factory, the provider-neutral factory over it, and its SQL dialect.</summary>
    private static void AddProvider<TContext>(IServiceCollection services, Action<DbContextOptionsBuilder> configure, SqlDialect dialect)
        where TContext : PersistersDbContext
    {
        services.AddPooledDbContextFactory<TContext>(configure);
        services.AddSingleton<IPersistersDbContextFactory>(sp => new PersistersDbContextFactory<TContext>(sp.GetRequiredService<IDbContextFactory<TContext>>()));
        services.AddSingleton(dialect);
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
