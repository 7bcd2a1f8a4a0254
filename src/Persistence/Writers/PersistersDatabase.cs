using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Persisters.Persistence.Writers;

/// <summary>
/// Runs hot-path work in one transaction over a pooled context's connection, inside EF's execution
/// strategy, so a transient failure replays the whole unit (which must therefore be idempotent).
/// </summary>
public sealed class PersistersDatabase(IPersistersDbContextFactory factory, SqlDialect dialect, DatabaseOptions options)
{
    private readonly SemaphoreSlim _writers = new(options.MaxConcurrentWrites, options.MaxConcurrentWrites);

    public SqlDialect Dialect => dialect;

    public async Task<T> InTransactionAsync<T>(Func<DbSession, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        await _writers.WaitAsync(ct);
        try
        {
            return await RunInTransactionAsync(work, ct);
        }
        finally
        {
            _writers.Release();
        }
    }

    private async Task<T> RunInTransactionAsync<T>(Func<DbSession, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async token =>
        {
            await using IDbContextTransaction tx = await db.Database.BeginTransactionAsync(token);
            var session = new DbSession(db.Database.GetDbConnection(), tx.GetDbTransaction(), dialect, options.InsertChunkSize);
            var result = await work(session, token);
            await tx.CommitAsync(token);
            return result;
        }, ct);
    }

    public async Task<T> ReadAsync<T>(Func<DbSession, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async token =>
        {
            await db.Database.OpenConnectionAsync(token);
            try
            {
                return await work(new DbSession(db.Database.GetDbConnection(), null, dialect, options.InsertChunkSize), token);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }, ct);
    }

    /// <summary>A cheap round trip for readiness checks.</summary>
    public async Task PingAsync(CancellationToken ct)
    {
        await using var db = factory.CreateDbContext();
        await db.Database.OpenConnectionAsync(ct);
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = "SELECT 1";
        await cmd.ExecuteScalarAsync(ct);
        await db.Database.CloseConnectionAsync();
    }
}
