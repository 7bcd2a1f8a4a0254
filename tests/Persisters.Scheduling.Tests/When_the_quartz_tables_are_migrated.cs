using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Persisters.Persistence.Migrations;

namespace Persisters.Scheduling.Tests;

/// <summary>
/// The data layer's QuartzScheduler migration holds its DDL frozen (it does not reference the scheduler); these
/// statements must still be the ones <see cref="QuartzSchema" /> renders, or the scheduler's schema check at start
/// would fail on a freshly migrated database.
/// </summary>
public sealed class When_the_quartz_tables_are_migrated
{
    [Fact]
    public void The_MySql_migration_runs_the_statements_of_QuartzSchema()
    {
        Assert.Equal(QuartzSchema.CreateStatements(QuartzSchema.MySql), SqlOf(new MySqlQuartzScheduler()));
    }

    [Fact]
    public void The_Sqlite_migration_runs_the_statements_of_QuartzSchema()
    {
        Assert.Equal(QuartzSchema.CreateStatements(QuartzSchema.Sqlite), SqlOf(new SqliteQuartzScheduler()));
    }

    private static IReadOnlyList<string> SqlOf(Migration migration) =>
        migration.UpOperations.Select(o => Assert.IsType<SqlOperation>(o).Sql).ToList();
}
