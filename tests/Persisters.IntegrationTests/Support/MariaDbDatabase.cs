using MySqlConnector;

namespace Persisters.IntegrationTests.Support;

/// <summary>A throw-away database on the test MariaDB, dropped at the end.</summary>
public sealed class MariaDbDatabase : IAsyncDisposable
{
    private MariaDbDatabase(string name)
    {
        Name = name;
        ConnectionString = new MySqlConnectionStringBuilder(TestServers.MySqlAdmin) { Database = name }.ConnectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<MariaDbDatabase> CreateAsync()
    {
        var db = new MariaDbDatabase("persisters_it_" + Guid.NewGuid().ToString("N")[..12]);
        await AdminAsync($"CREATE DATABASE `{db.Name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        return db;
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new MySqlCommand(sql, connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    public async Task<string?> TextAsync(string sql)
    {
        await using var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new MySqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync() as string;
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new MySqlConnection(TestServers.MySqlAdmin);
        await connection.OpenAsync();
        await using var cmd = new MySqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        MySqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS `{Name}`");
    }
}
