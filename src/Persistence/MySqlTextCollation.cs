using Microsoft.EntityFrameworkCore;
using Pomelo.EntityFrameworkCore.MySql.Infrastructure;

namespace Persisters.Persistence;

/// <summary>
/// The collation of every text column on MySQL/MariaDB: utf8mb4, compared byte for byte (case, accents and trailing
/// spaces all count), as SQLite's BINARY collation compares. <c>utf8mb4_bin</c> is not enough: it is PAD SPACE on MariaDB
/// 10.x and MySQL 8, so <c>'evt-1'</c> and <c>'evt-1 '</c> are one key. Each server names its NO PAD binary collation
/// differently, so the EF model and its migrations carry <see cref="ModelName"/> and
/// <see cref="PersistersMySqlMigrationsSqlGenerator"/> writes the configured server's name into the DDL.
/// </summary>
public static class MySqlTextCollation
{
    /// <summary>MariaDB's NO PAD binary collation (10.2 and later); the name in the EF model and migrations.</summary>
    public const string ModelName = "utf8mb4_nopad_bin";

    /// <summary>MySQL's NO PAD binary collation (8.0.17 and later; MySQL's utf8mb4_bin is PAD SPACE).</summary>
    public const string MySqlName = "utf8mb4_0900_bin";

    /// <summary>
    /// The collation to write into DDL for <paramref name="serverVersion"/> (<c>Database:ServerVersion</c>).
    /// Throws <see cref="NotSupportedException"/> for a server without a NO PAD binary utf8mb4 collation
    /// (MariaDB before 10.2, MySQL before 8.0.17).
    /// </summary>
    public static string For(ServerVersion serverVersion)
    {
        ArgumentNullException.ThrowIfNull(serverVersion);
        if (serverVersion.Type == ServerType.MariaDb)
        {
            return serverVersion.Version >= new Version(10, 2)
                ? ModelName
                : throw new NotSupportedException($"MariaDB {serverVersion.Version} has no NO PAD binary collation ({ModelName} needs 10.2 or later); Persisters needs MariaDB 10.6 or later.");
        }

        return serverVersion.Version >= new Version(8, 0, 17)
            ? MySqlName
            : throw new NotSupportedException($"MySQL {serverVersion.Version} has no NO PAD binary collation ({MySqlName} needs 8.0.17 or later); Persisters needs MySQL 8.0.17 or later.");
    }
}
