using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Update;
using Persisters.Persistence.Migrations;
#pragma warning disable EF1001 // Pomelo's generator takes its options through this interface; there is no public alternative.
using Pomelo.EntityFrameworkCore.MySql.Infrastructure.Internal;
using Pomelo.EntityFrameworkCore.MySql.Migrations;

namespace Persisters.Persistence;

/// <summary>
/// Pomelo's migrations SQL generator, with the model's byte-exact collation name (<see cref="MySqlTextCollation.ModelName"/>)
/// replaced by the configured server's (<see cref="MySqlTextCollation.For"/>) in every database, table and column
/// operation, so one set of migrations creates NO PAD columns on MariaDB and on MySQL.
/// </summary>
public sealed class PersistersMySqlMigrationsSqlGenerator(
    MigrationsSqlGeneratorDependencies dependencies, ICommandBatchPreparer commandBatchPreparer, IMySqlOptions options)
    : MySqlMigrationsSqlGenerator(dependencies, commandBatchPreparer, options)
{
    private readonly string _collation = MySqlTextCollation.For(options.ServerVersion);

    public override IReadOnlyList<MigrationCommand> Generate(
        IReadOnlyList<MigrationOperation> operations, IModel? model = null, MigrationsSqlGenerationOptions options = MigrationsSqlGenerationOptions.Default)
    {
        foreach (var operation in operations) MapCollation(operation);
        return base.Generate(operations, model, options);
    }

    protected override void Generate(MigrationOperation operation, IModel? model, MigrationCommandListBuilder builder)
    {
        if (operation is not ConvertTableCollationOperation convert)
        {
            base.Generate(operation, model, builder);
            return;
        }

        builder
            .Append("ALTER TABLE ")
            .Append(Dependencies.SqlGenerationHelper.DelimitIdentifier(convert.Table))
            .Append(" CONVERT TO CHARACTER SET utf8mb4 COLLATE ")
            .Append(Map(convert.Collation)!)
            .AppendLine(Dependencies.SqlGenerationHelper.StatementTerminator);
        EndStatement(builder);
    }

    private void MapCollation(MigrationOperation operation)
    {
        switch (operation)
        {
            case AlterDatabaseOperation database:
                database.Collation = Map(database.Collation);
                MapAnnotation(database);
                break;
            case CreateTableOperation table:
                MapAnnotation(table);
                foreach (var column in table.Columns) column.Collation = Map(column.Collation);
                break;
            case AlterTableOperation table:
                MapAnnotation(table);
                break;
            case AlterColumnOperation column:
                column.Collation = Map(column.Collation);
                column.OldColumn.Collation = Map(column.OldColumn.Collation);
                break;
            case ColumnOperation column:
                column.Collation = Map(column.Collation);
                break;
        }
    }

    private void MapAnnotation(MigrationOperation operation)
    {
        if (operation[RelationalAnnotationNames.Collation] is string collation) operation[RelationalAnnotationNames.Collation] = Map(collation);
    }

    private string? Map(string? collation) => collation == MySqlTextCollation.ModelName ? _collation : collation;
}
