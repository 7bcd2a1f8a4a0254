using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Persisters.Persistence;

/// <summary>Applies the provider's migrations (the <c>migrate</c> verb, or at start when configured).</summary>
public sealed class DatabaseMigrator(IPersistersDbContextFactory factory, DatabaseOptions options, ILogger<DatabaseMigrator> logger)
{
    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        if (options.Provider == DatabaseProvider.Sqlite)
        {
            // WAL lets readers run beside the single writer; it is a property of the file, so set it once here.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        await db.Database.MigrateAsync(ct);
        logger.LogInformation("Database {Provider} is at the latest schema ({Applied} migrations applied)", options.Provider, pending.Count);
    }
}
