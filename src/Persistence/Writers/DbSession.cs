using System.Data.Common;

namespace Persisters.Persistence.Writers;

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
