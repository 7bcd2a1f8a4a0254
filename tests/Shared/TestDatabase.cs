using System.Data.Common;
using Microsoft.Data.Sqlite;
using MySqlConnector;
using Persisters.Persistence;

namespace Persisters.Tests.Support;

/// <summary>
/// A throw-away database for one test: an SQLite file in a fresh temp folder, or a fresh database on the shared test
/// MariaDB (<c>eval "$(scripts/services.sh env)"</c>; without <c>PERSISTERS_TEST_MYSQL_ADMIN</c> the test fails with the
/// command to run, it never skips) or on a MariaDB of the test's own. Disposing removes it (the folder, or
/// <c>DROP DATABASE</c>). One helper for every test project that needs a database per test (linked from tests/Shared).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _directory;
    private readonly string? _mariaDbName;
    private readonly string? _admin;

    private TestDatabase(DatabaseOptions options, string? directory, string? mariaDbName, string? admin)
    {
        Options = options;
        _directory = directory;
        _mariaDbName = mariaDbName;
        _admin = admin;
    }

    /// <summary>The settings that point the application's data layer at this database.</summary>
    public DatabaseOptions Options { get; }

    /// <summary>
    /// The database's own connection string, as <see cref="Options" /> holds it: for a process or host that is handed the
    /// database raw (nothing is migrated until something runs the application's migrations on it).
    /// </summary>
    public string ConnectionString => Options.ConnectionString!;

    /// <summary>A new SQLite file, <c>test.db</c>, in its own folder under the temp path.</summary>
    public static TestDatabase Sqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "persisters-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return new TestDatabase(new DatabaseOptions
        {
            Provider = DatabaseProvider.Sqlite,
            ConnectionString = $"Data Source={Path.Combine(directory, "test.db")}",
        }, directory, null, null);
    }

    /// <summary>A new, empty database <c>persisters_test_&lt;12 hex&gt;</c> on the test MariaDB.</summary>
    /// <param name="serverDefaultCollation">
    /// Create the database with the server's default character set and collation (latin1 on a bare MariaDB) instead of
    /// utf8mb4_bin: for tests that prove the schema does not depend on it.
    /// </param>
    /// <param name="admin">
    /// The admin connection string of the server to create it on; default: the shared test MariaDB
    /// (<see cref="Shared.TestServers.MySqlAdmin" />). The database's connection string uses the same server and credentials.
    /// </param>
    /// <exception cref="InvalidOperationException">
    /// <c>PERSISTERS_TEST_MYSQL_ADMIN</c> is not set (and no <paramref name="admin" /> is given), or the server does not answer.
    /// </exception>
    public static async Task<TestDatabase> MariaDbAsync(bool serverDefaultCollation = false, string? admin = null)
    {
        admin ??= Shared.TestServers.MySqlAdmin; // without a using, so projects with a global one build too
        var name = "persisters_test_" + Guid.NewGuid().ToString("N")[..12];
        await AdminAsync(admin, serverDefaultCollation
            ? $"CREATE DATABASE `{name}`"
            : $"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        var connectionString = new MySqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        return new TestDatabase(new DatabaseOptions { Provider = DatabaseProvider.MySql, ConnectionString = connectionString, MigrateOnStart = true },
            null, name, admin);
    }

    /// <summary>Runs each statement in order on one connection to this MariaDB database (DDL, seeding).</summary>
    /// <exception cref="InvalidOperationException">This is an SQLite database.</exception>
    /// <exception cref="MySqlException">A statement fails; the ones after it do not run.</exception>
    public async Task ExecuteAsync(IEnumerable<string> statements)
    {
        await using var connection = await OpenAsync(nameof(ExecuteAsync));
        foreach (var statement in statements)
        {
            await using var cmd = new MySqlCommand(statement, connection);
            await cmd.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Runs a statement on this MariaDB database and maps every row it reads with <paramref name="row" />, in the order read.
    /// </summary>
    /// <exception cref="InvalidOperationException">This is an SQLite database.</exception>
    /// <exception cref="MySqlException">The statement fails (e.g. <see cref="MySqlErrorCode.NoSuchTable" />).</exception>
    public async Task<List<T>> RowsAsync<T>(string sql, Func<DbDataReader, T> row)
    {
        await using var connection = await OpenAsync(nameof(RowsAsync));
        await using var cmd = new MySqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(row(reader));
        return rows;
    }

    /// <summary>Runs a statement on this MariaDB database and returns the first column of every row it reads, as text.</summary>
    /// <exception cref="InvalidOperationException">This is an SQLite database.</exception>
    public Task<List<string>> ColumnAsync(string sql) => RowsAsync(sql, reader => Convert.ToString(reader.GetValue(0))!);

    /// <summary>
    /// The first column of the first row a query on this MariaDB database reads, as a whole number (a count, a sum, an
    /// enum's stored value); 0 when it reads no row.
    /// </summary>
    /// <exception cref="InvalidOperationException">This is an SQLite database.</exception>
    /// <exception cref="InvalidCastException">The value is SQL NULL.</exception>
    public async Task<long> ScalarAsync(string sql) => Convert.ToInt64(await FirstValueAsync(sql, nameof(ScalarAsync)));

    /// <summary>The first column of the first row a query on this MariaDB database reads, when it is text; otherwise null.</summary>
    /// <exception cref="InvalidOperationException">This is an SQLite database.</exception>
    public async Task<string?> TextAsync(string sql) => await FirstValueAsync(sql, nameof(TextAsync)) as string;

    public async ValueTask DisposeAsync()
    {
        if (_mariaDbName is not null)
        {
            MySqlConnection.ClearAllPools();
            await AdminAsync(_admin!, $"DROP DATABASE IF EXISTS `{_mariaDbName}`");
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

    private async Task<object?> FirstValueAsync(string sql, string caller)
    {
        await using var connection = await OpenAsync(caller);
        await using var cmd = new MySqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync();
    }

    private async Task<MySqlConnection> OpenAsync(string caller)
    {
        if (_mariaDbName is null) throw new InvalidOperationException($"{caller} runs on a MariaDB test database only.");
        var connection = new MySqlConnection(Options.ConnectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task AdminAsync(string admin, string sql)
    {
        await using var connection = new MySqlConnection(admin);
        try
        {
            await connection.OpenAsync();
        }
        catch (MySqlException ex)
        {
            throw new InvalidOperationException(
                $"The test MariaDB is unreachable ({ex.Message}). Start the test servers: scripts/services.sh up && eval \"$(scripts/services.sh env)\".", ex);
        }
        await using var cmd = new MySqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync();
    }
}
