using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace Persisters.Persistence;

[Description("a database")]
public enum DatabaseProvider
{
    Sqlite,
    MySql,
}

/// <summary>Configuration section <c>Database</c>. Each rule names the key it checks (the host adds the section's path).</summary>
public sealed class DatabaseOptions : IValidatableObject
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

    /// <summary>Seconds a database command may run, 1 to 3600.</summary>
    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Hot-path write transactions in flight at once per process, 1 to 256. Bounds the connections the persisters
    /// hold however many batches or event envelopes arrive together.
    /// </summary>
    public int MaxConcurrentWrites { get; set; } = 8;

    /// <summary>Rows per multi-row INSERT statement (a statement also ends at <see cref="Writers.MultiRowInsert{T}.MaxStatementBytes"/> of data).</summary>
    [Range(1, 2000, ErrorMessage = "must be from {1} to {2}.")]
    public int InsertChunkSize { get; set; } = 1000;

    public string EffectiveConnectionString =>
        string.IsNullOrWhiteSpace(ConnectionString) && Provider == DatabaseProvider.Sqlite
            ? DefaultSqliteConnectionString
            : ConnectionString ?? "";

    public bool EffectiveMigrateOnStart => MigrateOnStart ?? Provider == DatabaseProvider.Sqlite;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == DatabaseProvider.MySql && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new("Database:ConnectionString is required when Database:Provider is MySql (environment: Database__ConnectionString, or Database__ConnectionStringFile).",
                [nameof(ConnectionString)]);
        }
        if (!Microsoft.EntityFrameworkCore.ServerVersion.TryParse(ServerVersion, out _))
        {
            yield return new($"'{ServerVersion}' is not a server version such as 10.11.0-mariadb or 8.0.36-mysql.", [nameof(ServerVersion)]);
        }
        if (CommandTimeoutSeconds is < 1 or > 3600)
        {
            yield return new($"'{CommandTimeoutSeconds}' must be a whole number from 1 to 3600.", [nameof(CommandTimeoutSeconds)]);
        }
        if (MaxConcurrentWrites is < 1 or > 256)
        {
            yield return new($"'{MaxConcurrentWrites}' must be a whole number from 1 to 256.", [nameof(MaxConcurrentWrites)]);
        }
    }
}
