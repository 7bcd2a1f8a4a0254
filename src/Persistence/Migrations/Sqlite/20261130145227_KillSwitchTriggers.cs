using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Persisters.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class KillSwitchTriggers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "triggered_at",
                table: "auto_ops_rule",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "triggered_clause_id",
                table: "auto_ops_rule",
                type: "TEXT",
                maxLength: 36,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "triggered_evaluation_count",
                table: "auto_ops_rule",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "triggered_ops_event_count",
                table: "auto_ops_rule",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "auto_ops_trigger",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    auto_ops_rule_id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    environment_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    feature_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    feature_version = table.Column<int>(type: "INTEGER", nullable: false),
                    clause_id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    variation_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    goal_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    evaluation_count = table.Column<long>(type: "INTEGER", nullable: false),
                    ops_event_count = table.Column<long>(type: "INTEGER", nullable: false),
                    threshold = table.Column<double>(type: "REAL", nullable: false),
                    @operator = table.Column<int>(name: "operator", type: "INTEGER", nullable: false),
                    triggered_at = table.Column<long>(type: "INTEGER", nullable: false),
                    published_at = table.Column<long>(type: "INTEGER", nullable: true),
                    webhook_state = table.Column<int>(type: "INTEGER", nullable: false),
                    webhook_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    webhook_last_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    webhook_last_error = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true),
                    due_at = table.Column<long>(type: "INTEGER", nullable: true),
                    lease_owner = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    lease_until = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_auto_ops_trigger", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_auto_ops_trigger_due",
                table: "auto_ops_trigger",
                column: "due_at");

            migrationBuilder.CreateIndex(
                name: "ux_auto_ops_trigger_rule",
                table: "auto_ops_trigger",
                column: "auto_ops_rule_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "auto_ops_trigger");

            migrationBuilder.DropColumn(
                name: "triggered_at",
                table: "auto_ops_rule");

            migrationBuilder.DropColumn(
                name: "triggered_clause_id",
                table: "auto_ops_rule");

            migrationBuilder.DropColumn(
                name: "triggered_evaluation_count",
                table: "auto_ops_rule");

            migrationBuilder.DropColumn(
                name: "triggered_ops_event_count",
                table: "auto_ops_rule");
        }
    }
}
