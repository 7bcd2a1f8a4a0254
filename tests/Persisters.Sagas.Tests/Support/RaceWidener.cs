using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Persisters.Persistence;

namespace Persisters.Sagas.Tests.Support;

/// <summary>
/// Makes every read of the <c>experiment</c> table slow (an async pause after the query), so concurrent commands of one
/// experiment really load the same version before either saves; counts the optimistic-concurrency conflicts that follow.
/// (Without it, Microsoft.Data.Sqlite's synchronous I/O runs each saga message to the end before the next starts.)
/// </summary>
public sealed class RaceWidener(TimeSpan pause) : DbCommandInterceptor, ISaveChangesInterceptor
{
    private int _conflicts;

    public int Conflicts => Volatile.Read(ref _conflicts);

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        if (command.CommandText.Contains("FROM \"experiment\"", StringComparison.Ordinal)
            || command.CommandText.Contains("FROM `experiment`", StringComparison.Ordinal))
        {
            await Task.Delay(pause, cancellationToken);
        }
        return result;
    }

    public ValueTask<InterceptionResult> ThrowingConcurrencyExceptionAsync(ConcurrencyExceptionEventData eventData, InterceptionResult result,
        CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _conflicts);
        return ValueTask.FromResult(result);
    }

    /// <summary>A context factory like the application's, with this interceptor added.</summary>
    public IPersistersDbContextFactory Wrap(DatabaseOptions options) => new Factory(options, this);

    private sealed class Factory(DatabaseOptions options, RaceWidener widener) : IPersistersDbContextFactory
    {
        public PersistersDbContext CreateDbContext()
        {
            if (options.Provider == DatabaseProvider.MySql)
            {
                var my = new DbContextOptionsBuilder<MySqlPersistersDbContext>();
                PersistenceServiceCollectionExtensions.ConfigureMySql(my, options);
                my.AddInterceptors(widener);
                return new MySqlPersistersDbContext(my.Options);
            }
            var sqlite = new DbContextOptionsBuilder<SqlitePersistersDbContext>();
            PersistenceServiceCollectionExtensions.ConfigureSqlite(sqlite, options);
            sqlite.AddInterceptors(widener);
            return new SqlitePersistersDbContext(sqlite.Options);
        }
    }
}
