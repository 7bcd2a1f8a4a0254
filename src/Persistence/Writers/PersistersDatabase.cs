using System.Data.Common;
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

/// <summary>An open connection (and transaction, when writing) plus the dialect.</summary>
public sealed class DbSession(DbConnection connection, DbTransaction? transaction, SqlDialect dialect, int chunkSize)
{
    public DbConnection Connection => connection;
    public DbTransaction? Transaction => transaction;
    public SqlDialect Dialect => dialect;
    public int ChunkSize => chunkSize;

    public DbCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    public async Task<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await using var cmd = Command(sql, parameters);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Adds "@{prefix}{i}" parameters for the values and returns the list text for an IN (...) clause.</summary>
    public static string AddInList(DbCommand cmd, string prefix, IEnumerable<object> values)
    {
        var names = new List<string>();
        var i = 0;
        foreach (var value in values)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = "@" + prefix + i++;
            p.Value = value;
            cmd.Parameters.Add(p);
            names.Add(p.ParameterName);
        }
        return string.Join(",", names);
    }
}
