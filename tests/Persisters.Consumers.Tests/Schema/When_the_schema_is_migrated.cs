using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Persisters.Persistence;
using Persisters.Tests.Support;

namespace Persisters.Tests.Schema;

/// <summary>The schema's text comparison on MySQL/MariaDB: byte for byte (NO PAD binary), whatever the database default.</summary>
public sealed class When_the_schema_is_migrated_on_MariaDb : IAsyncLifetime
{
    private const string ApplicationTables =
        "('auto_ops_rule','auto_ops_trigger','evaluation_event','experiment','experiment_result','goal_event','goal_event_retry','ops_count','ops_user')";

    // The migration before ByteExactIds: the schema of existing installations.
    private const string PadSpaceSchema = "20261122210000_QuartzScheduler";

    private TestDatabase? _database;

    public async Task InitializeAsync() => _database = await TestDatabase.MariaDbAsync(serverDefaultCollation: true);

    public async Task DisposeAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }

    [Fact]
    public async Task Every_text_column_and_table_of_a_new_database_is_NO_PAD_binary_whatever_the_database_default()
    {
        var db = _database!;
        var serverDefault = Assert.Single(await db.ColumnAsync("SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()"));
        Assert.DoesNotContain("nopad", serverDefault); // latin1_swedish_ci on a bare MariaDB
        await using var provider = Services(db.Options);
        await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);

        var columns = await db.ColumnAsync(
            "SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME, ' ', COLLATION_NAME) FROM information_schema.COLUMNS " +
            $"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN {ApplicationTables} AND COLLATION_NAME IS NOT NULL");
        var tables = await db.ColumnAsync(
            $"SELECT CONCAT(TABLE_NAME, ' ', TABLE_COLLATION) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN {ApplicationTables}");

        Assert.Equal(58, columns.Count);
        Assert.All(columns, c => Assert.EndsWith(" utf8mb4_nopad_bin", c));
        Assert.Equal(9, tables.Count);
        Assert.All(tables, t => Assert.EndsWith(" utf8mb4_nopad_bin", t));
        Assert.Equal(["utf8mb4_nopad_bin"], await db.ColumnAsync("SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()"));
    }

    [Fact]
    public async Task An_existing_padded_database_is_converted_keeping_its_rows_and_then_tells_evt_1_from_evt_1_space()
    {
        var db = _database!;
        await using var provider = Services(db.Options);
        await using (var context = provider.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext())
        {
            await context.GetService<IMigrator>().MigrateAsync(PadSpaceSchema);
        }
        await db.ColumnAsync(InsertEvaluation("evt-1"));
        await db.ColumnAsync(InsertEvaluation("evt-1 ")); // PAD SPACE: ignored as a duplicate of 'evt-1'
        Assert.Equal(["[evt-1]"], await db.ColumnAsync("SELECT CONCAT('[', id, ']') FROM evaluation_event"));

        await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        await db.ColumnAsync(InsertEvaluation("evt-1 "));

        Assert.Equal(["[evt-1 ]", "[evt-1]"], (await db.ColumnAsync("SELECT CONCAT('[', id, ']') FROM evaluation_event")).Order(StringComparer.Ordinal));
        Assert.Equal(["u-of-evt-1", "u-of-evt-1 "], (await db.ColumnAsync("SELECT user_id FROM evaluation_event")).Order(StringComparer.Ordinal));
    }

    private static string InsertEvaluation(string id) =>
        "INSERT IGNORE INTO evaluation_event (id, environment_id, timestamp, feature_id, feature_version, user_id, user_data, variation_id, reason, tag, source_id, sdk_version, created_at) " +
        $"VALUES ('{id}', 'env', 1, 'flag', 1, 'u-of-{id}', NULL, 'A', 'RULE', 'web', 'JAVASCRIPT', '1', 0)";

    internal static ServiceProvider Services(DatabaseOptions options)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddPersistersDatabase(options);
        return services.BuildServiceProvider();
    }
}

public sealed class When_the_schema_is_scripted
{
    [Theory]
    [InlineData("10.11.0-mariadb", "utf8mb4_nopad_bin")]
    [InlineData("10.6.0-mariadb", "utf8mb4_nopad_bin")]
    [InlineData("8.0.36-mysql", "utf8mb4_0900_bin")]
    [InlineData("8.4.0-mysql", "utf8mb4_0900_bin")]
    public async Task The_DDL_names_the_servers_own_NO_PAD_binary_collation_for_every_text_column(string serverVersion, string collation)
    {
        await using var provider = When_the_schema_is_migrated_on_MariaDb.Services(MySql(serverVersion));
        await using var context = provider.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();

        var script = context.GetService<IMigrator>().GenerateScript();
        var fromPadSpace = context.GetService<IMigrator>().GenerateScript("20261122210000_QuartzScheduler");

        Assert.Contains($"ALTER TABLE `evaluation_event` CONVERT TO CHARACTER SET utf8mb4 COLLATE {collation};", fromPadSpace);
        Assert.Equal(8, CountOf(fromPadSpace, $" CONVERT TO CHARACTER SET utf8mb4 COLLATE {collation};"));
        Assert.Contains($"ALTER DATABASE COLLATE {collation};", fromPadSpace);
        if (collation != "utf8mb4_nopad_bin") Assert.DoesNotContain("utf8mb4_nopad_bin", script);
    }

    [Theory]
    [InlineData("10.1.0-mariadb")]
    [InlineData("8.0.16-mysql")]
    [InlineData("5.7.44-mysql")]
    public async Task A_server_without_a_NO_PAD_binary_collation_is_refused_by_name(string serverVersion)
    {
        await using var provider = When_the_schema_is_migrated_on_MariaDb.Services(MySql(serverVersion));
        await using var context = provider.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();

        var e = Assert.Throws<NotSupportedException>(() => context.GetService<IMigrator>().GenerateScript());
        Assert.Contains("NO PAD", e.Message);
    }

    [Fact]
    public async Task SQLite_declares_no_collation_so_every_column_compares_with_BINARY()
    {
        var file = Path.Combine(Path.GetTempPath(), "persisters-tests", Guid.NewGuid().ToString("N") + ".db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await using var provider = When_the_schema_is_migrated_on_MariaDb.Services(new DatabaseOptions { ConnectionString = $"Data Source={file}" });
        await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        await using var context = provider.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext();

        var ddl = await context.Database.SqlQueryRaw<string>("SELECT sql AS Value FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'qrtz%'").ToListAsync();
        var equal = await context.Database.SqlQueryRaw<long>("SELECT ('evt-1' = 'evt-1 ') + ('evt-1' = 'EVT-1') AS Value").SingleAsync();

        Assert.NotEmpty(ddl);
        Assert.All(ddl, sql => Assert.DoesNotContain("COLLATE", sql, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, equal);
    }

    private static DatabaseOptions MySql(string serverVersion) => new()
    {
        Provider = DatabaseProvider.MySql,
        ConnectionString = "Server=127.0.0.1;Database=never_opened",
        ServerVersion = serverVersion,
    };

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
