using Microsoft.Data.Sqlite;
using MySqlConnector;
using Persisters.Persistence;
using Persisters.Tests.Shared;

namespace Persisters.Tests.Support;

/// <summary>
/// A throw-away database for one test: an SQLite file in a fresh temp folder, or a fresh database on the shared test
/// MariaDB (<c>eval "$(scripts/services.sh env)"</c>; without <c>PERSISTERS_TEST_MYSQL_ADMIN</c> the test fails with the
/// command to run, it never skips). Disposing removes it (the folder, or <c>DROP DATABASE</c>).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _directory;
    private readonly string? _mariaDbName;

    private TestDatabase(DatabaseOptions options, string? directory, string? mariaDbName)
    {
        Options = options;
        _directory = directory;
        _mariaDbName = mariaDbName;
    }

    /// <summary>The settings that point the application's data layer at this database.</summary>
    public DatabaseOptions Options { get; }

    /// <summary>A new SQLite file, <c>test.db</c>, in its own folder under the temp path.</summary>
    public static TestDatabase Sqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "persisters-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return new TestDatabase(new DatabaseOptions
        {
            Provider = DatabaseProvider.Sqlite,
            ConnectionString = $"Data Source={Path.Combine(directory, "test.db")}",
        }, directory, null);
    }

    /// <summary>A new, empty database <c>persisters_test_&lt;12 hex&gt;</c> on the test MariaDB.</summary>
    /// <param name="serverDefaultCollation">
    /// Create the database with the server's default character set and collation (latin1 on a bare MariaDB) instead of
    /// utf8mb4_bin: for tests that prove the schema does not depend on it.
    /// </param>
    /// <exception cref="InvalidOperationException"><c>PERSISTERS_TEST_MYSQL_ADMIN</c> is not set.</exception>
    public static async Task<TestDatabase> MariaDbAsync(bool serverDefaultCollation = false)
    {
        var name = "persisters_test_" + Guid.NewGuid().ToString("N")[..12];
        await AdminAsync(serverDefaultCollation
            ? $"CREATE DATABASE `{name}`"
            : $"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        var connectionString = new MySqlConnectionStringBuilder(TestServers.MySqlAdmin) { Database = name }.ConnectionString;
        return new TestDatabase(new DatabaseOptions { Provider = DatabaseProvider.MySql, ConnectionString = connectionString, MigrateOnStart = true },
            null, name);
    }

    /// <summary>Runs a statement on this MariaDB database and returns the first column of every row it reads, as text.</summary>
    /// <exception cref="InvalidOperationException">This is an SQLite database.</exception>
    public async Task<List<string>> ColumnAsync(string sql)
    {
        if (_mariaDbName is null) throw new InvalidOperationException("ColumnAsync runs on a MariaDB test database only.");
        await using var connection = new MySqlConnection(Options.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new MySqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(Convert.ToString(reader.GetValue(0))!);
        return values;
    }

    public async ValueTask DisposeAsync()
    {
        if (_mariaDbName is not null)
        {
            MySqlConnection.ClearAllPools();
            await AdminAsync($"DROP DATABASE IF EXISTS `{_mariaDbName}`");
        }
        if (_directory is not null)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new MySqlConnection(TestServers.MySqlAdmin);
        await connection.OpenAsync();
        await using var cmd = new MySqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }
}
