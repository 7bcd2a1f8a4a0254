using MySqlConnector;

namespace Persisters.IntegrationTests.Support;

/// <summary>A throw-away database on the test MariaDB, dropped at the end.</summary>
public sealed class MariaDbDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private MariaDbDatabase(string name, string admin)
    {
        Name = name;
        _admin = admin;
        ConnectionString = new MySqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    /// <param name="admin">The server's admin connection string (default: the shared test MariaDB).</param>
    public static async Task<MariaDbDatabase> CreateAsync(string? admin = null)
    {
        var db = new MariaDbDatabase("persisters_it_" + Guid.NewGuid().ToString("N")[..12], admin ?? TestServers.MySqlAdmin);
        await db.AdminAsync($"CREATE DATABASE `{db.Name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
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

    private async Task AdminAsync(string sql)
    {
        await using var connection = new MySqlConnection(_admin);
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
