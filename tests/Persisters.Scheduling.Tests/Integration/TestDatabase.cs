using MySqlConnector;

namespace Persisters.Scheduling.Tests.Integration;

/// <summary>A throw-away MariaDB database with the Quartz tables, dropped at the end.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> Create()
    {
        var name = "sched_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new MySqlConnection(TestServers.MySqlAdmin))
        {
            try
            {
                await admin.OpenAsync();
            }
            catch (MySqlException ex)
            {
                throw new InvalidOperationException($"MariaDB is unreachable ({ex.Message}); start it with scripts/services.sh up", ex);
            }

            await using var create = admin.CreateCommand();
            create.CommandText = $"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";
            await create.ExecuteNonQueryAsync();
        }

        var builder = new MySqlConnectionStringBuilder(TestServers.MySqlAdmin) { Database = name };
        var database = new TestDatabase(name, builder.ConnectionString);
        await database.Execute(QuartzSchema.CreateStatements(QuartzSchema.MySql));
        return database;
    }

    public async Task Execute(IEnumerable<string> statements)
    {
        await using var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync();
        foreach (var statement in statements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync();
        }
    }

    public async Task<T> Scalar<T>(string sql)
    {
        await using var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)Convert.ChangeType(value, typeof(T));
    }

    /// <summary>(rows, deliveries summed, most deliveries of one message); 0s before the TestHost made the table.</summary>
    public async Task<(long Rows, long Deliveries, long Max)> DeliveryCounts()
    {
        await using var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), COALESCE(SUM(deliveries), 0), COALESCE(MAX(deliveries), 0) FROM deliveries";
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return (reader.GetInt64(0), Convert.ToInt64(reader.GetValue(1)), Convert.ToInt64(reader.GetValue(2)));
        }
        catch (MySqlException ex) when (ex.ErrorCode == MySqlErrorCode.NoSuchTable)
        {
            return (0, 0, 0);
        }
    }

    public async Task<List<(Guid PingId, int Deliveries, string Host)>> Deliveries()
    {
        var result = new List<(Guid, int, string)>();
        await using var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ping_id, deliveries, host FROM deliveries";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result.Add((reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2)));
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var admin = new MySqlConnection(TestServers.MySqlAdmin);
            await admin.OpenAsync();
            await using var drop = admin.CreateCommand();
            drop.CommandText = $"DROP DATABASE IF EXISTS `{Name}`";
            await drop.ExecuteNonQueryAsync();
        }
        catch (Exception)
        {
            // best effort
        }
    }
}
