using System.ComponentModel.DataAnnotations;

namespace Persisters.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    MySql,
}

/// <summary>Configuration section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";
    public const string DefaultSqliteConnectionString = "Data Source=persisters.db";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Required for MySql; SQLite defaults to a file in the working directory.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>MySQL/MariaDB server version for Pomelo, e.g. "10.11.0-mariadb" or "8.0.36-mysql".</summary>
    [Required]
    public string ServerVersion { get; set; } = "10.11.0-mariadb";

    /// <summary>Apply migrations when the service starts. Default: on for SQLite, off for MySQL (run the <c>migrate</c> verb).</summary>
    public bool? MigrateOnStart { get; set; }

    [Range(1, 3600)]
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Hot-path write transactions in flight at once per process. Bounds the connections the persisters
    /// hold however many batches or event envelopes arrive together.
    /// </summary>
    [Range(1, 256)]
    public int MaxConcurrentWrites { get; set; } = 8;

    /// <summary>Rows per multi-row INSERT statement (a statement also ends at <see cref="Writers.MultiRowInsert{T}.MaxStatementBytes"/> of data).</summary>
    [Range(1, 2000)]
    public int InsertChunkSize { get; set; } = 1000;

    public string EffectiveConnectionString =>
        string.IsNullOrWhiteSpace(ConnectionString) && Provider == DatabaseProvider.Sqlite
            ? DefaultSqliteConnectionString
            : ConnectionString ?? "";

    public bool EffectiveMigrateOnStart => MigrateOnStart ?? Provider == DatabaseProvider.Sqlite;
}
