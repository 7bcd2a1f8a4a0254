using Microsoft.Data.Sqlite;
using MySqlConnector;
using Persisters.Persistence;

namespace Persisters.Sagas.Tests.Support;

/// <summary>A throw-away database: an SQLite file in a temp folder, or a fresh database on the test MariaDB. Removed at the end.</summary>
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

    public DatabaseOptions Options { get; }

    public static TestDatabase Sqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "persisters-sagas-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return new TestDatabase(new DatabaseOptions
        {
            Provider = DatabaseProvider.Sqlite,
            ConnectionString = $"Data Source={Path.Combine(directory, "lifecycle.db")}",
        }, directory, null);
    }

    /// <summary>Needs <c>PERSISTERS_TEST_MYSQL_ADMIN</c> (<c>eval "$(scripts/services.sh env)"</c>); fails, never skips, without it.</summary>
    public static async Task<TestDatabase> MariaDbAsync()
    {
        var name = "persisters_saga_" + Guid.NewGuid().ToString("N")[..12];
        await AdminAsync($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        var connectionString = new MySqlConnectionStringBuilder(MySqlAdmin) { Database = name }.ConnectionString;
        return new TestDatabase(new DatabaseOptions { Provider = DatabaseProvider.MySql, ConnectionString = connectionString }, null, name);
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

    private static string MySqlAdmin =>
        Environment.GetEnvironmentVariable("PERSISTERS_TEST_MYSQL_ADMIN") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "PERSISTERS_TEST_MYSQL_ADMIN is not set. Start MariaDB and export its settings: scripts/services.sh up mariadb && eval \"$(scripts/services.sh env)\".");

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new MySqlConnection(MySqlAdmin);
        await connection.OpenAsync();
        await using var cmd = new MySqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }
}
