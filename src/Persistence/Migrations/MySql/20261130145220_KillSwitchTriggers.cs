using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Persisters.Persistence.Migrations.MySql
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
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "triggered_clause_id",
                table: "auto_ops_rule",
                type: "varchar(36)",
                maxLength: 36,
                nullable: true,
                collation: "utf8mb4_nopad_bin")
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<long>(
                name: "triggered_evaluation_count",
                table: "auto_ops_rule",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "triggered_ops_event_count",
                table: "auto_ops_rule",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "auto_ops_trigger",
                columns: table => new
                {
                    id = table.Column<string>(type: "varchar(36)", maxLength: 36, nullable: false, collation: "utf8mb4_nopad_bin")
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    auto_ops_rule_id = table.Column<string>(type: "varchar(36)", maxLength: 36, nullable: false, collation: "utf8mb4_nopad_bin")
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    environment_id = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: false, collation: "utf8mb4_nopad_bin")
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    feature_id = table.Column<string>(type: "varchar(255)", maxLength: 255, nullable: false, collation: "utf8mb4_nopad_bin")
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    feature_version = table.Column<int>(type: "int", nullable: false),
                    clause_id = table.Column<string>(type: "varchar(36)", maxLength: 36, nullable: false, collation: "utf8mb4_nopad_bin")
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    variation_id = table.Column<string>(type: "varchar(255)", maxLength: 255, nullable: false, collation: "utf8mb4_nopad_bin")
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    goal_id = table.Column<string>(type: "varchar(255)", maxLength: 255, nullable: false, collation: "utf8mb4_nopad_bin")
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    evaluation_count = table.Column<long>(type: "bigint", nullable: false),
                    ops_event_count = table.Column<long>(type: "bigint", nullable: false),
                    threshold = table.Column<double>(type: "double", nullable: false),
                    @operator = table.Column<int>(name: "operator", type: "int", nullable: false),
                    triggered_at = table.Column<long>(type: "bigint", nullable: false),
                    published_at = table.Column<long>(type: "bigint", nullable: true),
                    webhook_state = table.Column<int>(type: "int", nullable: false),
                    webhook_attempts = table.Column<int>(type: "int", nullable: false),
                    webhook_last_attempt_at = table.Column<long>(type: "bigint", nullable: true),
                    webhook_last_error = table.Column<string>(type: "varchar(255)", maxLength: 255, nullable: true, collation: "utf8mb4_nopad_bin")
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    due_at = table.Column<long>(type: "bigint", nullable: true),
                    lease_owner = table.Column<string>(type: "varchar(64)", maxLength: 64, nullable: true, collation: "utf8mb4_nopad_bin")
                        .Annotation("MySql:CharSet", "utf8mb4"),
                    lease_until = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_auto_ops_trigger", x => x.id);
                })
                .Annotation("MySql:CharSet", "utf8mb4")
                .Annotation("Relational:Collation", "utf8mb4_nopad_bin");

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
