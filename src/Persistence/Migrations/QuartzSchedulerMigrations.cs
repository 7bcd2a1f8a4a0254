using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Persisters.Scheduling;

namespace Persisters.Persistence.Migrations;

// The durable scheduler's Quartz tables (qrtz_*): raw DDL from QuartzSchema, so the EF model and its
// snapshots are unchanged. The statements are idempotent (IF NOT EXISTS).

[DbContext(typeof(MySqlPersistersDbContext))]
[Migration("20261122210000_QuartzScheduler")]
public sealed class MySqlQuartzScheduler : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var statement in QuartzSchema.CreateStatements("MySql")) migrationBuilder.Sql(statement);
    }
}

[DbContext(typeof(SqlitePersistersDbContext))]
[Migration("20261122210000_QuartzScheduler")]
public sealed class SqliteQuartzScheduler : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        foreach (var statement in QuartzSchema.CreateStatements("Sqlite")) migrationBuilder.Sql(statement);
    }
}
