using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace Persisters.Persistence.Migrations;

/// <summary>
/// MySQL/MariaDB: <c>ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE c</c>, the table's default and every text
/// column in one statement (one table rebuild, where a column-by-column change rebuilds the table once per indexed
/// column). <see cref="MySqlTextCollation.ModelName"/> is written as the configured server's NO PAD binary collation.
/// </summary>
public sealed class ConvertTableCollationOperation : MigrationOperation
{
    public required string Table { get; init; }

    public required string Collation { get; init; }
}

public static class ConvertTableCollationExtensions
{
    public static void ConvertTableCollation(this MigrationBuilder migrationBuilder, string table, string collation) =>
        migrationBuilder.Operations.Add(new ConvertTableCollationOperation { Table = table, Collation = collation });
}
