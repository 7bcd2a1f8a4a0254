using MySqlConnector;
using Persisters.Persistence;

namespace Persisters.Tests.Calculator;

/// <summary>
/// A throw-away database on the test MariaDB (<c>eval "$(scripts/services.sh env)"</c>), dropped at the end. Without
/// <c>PERSISTERS_TEST_MYSQL_ADMIN</c> the tests fail, never skip, as the integration tests do.
/// </summary>
public sealed class CalculatorMariaDb : IAsyncDisposable
{
    private CalculatorMariaDb(string admin, string name)
    {
        Admin = admin;
        Name = name;
        ConnectionString = new MySqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    private string Admin { get; }
    public string Name { get; }
    public string ConnectionString { get; }

    public DatabaseOptions Options => new() { Provider = DatabaseProvider.MySql, ConnectionString = ConnectionString, MigrateOnStart = true };

    /// <param name="serverDefaultCollation">
    /// Create the database with the server's default character set and collation (latin1 on a bare MariaDB) instead of
    /// utf8mb4_bin: the schema must not depend on it.
    /// </param>
    public static async Task<CalculatorMariaDb> CreateAsync(bool serverDefaultCollation = false)
    {
        var admin = Environment.GetEnvironmentVariable("PERSISTERS_TEST_MYSQL_ADMIN");
        if (string.IsNullOrWhiteSpace(admin))
        {
            throw new InvalidOperationException("PERSISTERS_TEST_MYSQL_ADMIN is not set: run scripts/services.sh up, then eval \"$(scripts/services.sh env)\".");
        }
        var db = new CalculatorMariaDb(admin, "persisters_calc_" + Guid.NewGuid().ToString("N")[..12]);
        await db.AdminAsync(serverDefaultCollation
            ? $"CREATE DATABASE `{db.Name}`"
            : $"CREATE DATABASE `{db.Name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        return db;
    }

    /// <summary>Runs a query on this database and returns the first column of every row as text.</summary>
    public async Task<List<string>> ColumnAsync(string sql)
    {
        await using var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new MySqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(Convert.ToString(reader.GetValue(0))!);
        return values;
    }

    private async Task AdminAsync(string sql)
    {
        await using var connection = new MySqlConnection(Admin);
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
