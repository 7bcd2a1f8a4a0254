using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Persisters.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "auto_ops_rule",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    environment_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    feature_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    feature_version = table.Column<int>(type: "INTEGER", nullable: false),
                    clauses = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    deleted = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_auto_ops_rule", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "evaluation_event",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    environment_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    feature_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    feature_version = table.Column<int>(type: "INTEGER", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    user_data = table.Column<string>(type: "TEXT", nullable: true),
                    variation_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    tag = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    source_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    sdk_version = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_evaluation_event", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "experiment",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    environment_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    feature_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    feature_version = table.Column<int>(type: "INTEGER", nullable: false),
                    variations = table.Column<string>(type: "TEXT", nullable: false),
                    base_variation_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    goal_ids = table.Column<string>(type: "TEXT", nullable: false),
                    start_at = table.Column<long>(type: "INTEGER", nullable: false),
                    stop_at = table.Column<long>(type: "INTEGER", nullable: false),
                    stopped_at = table.Column<long>(type: "INTEGER", nullable: true),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    archived = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_experiment", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "experiment_result",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    environment_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    data = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_experiment_result", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "goal_event",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    experiment_id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    environment_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    goal_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    value = table.Column<double>(type: "REAL", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    user_data = table.Column<string>(type: "TEXT", nullable: true),
                    tag = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    source_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    sdk_version = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    feature_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    feature_version = table.Column<int>(type: "INTEGER", nullable: false),
                    variation_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_goal_event", x => new { x.id, x.experiment_id });
                });

            migrationBuilder.CreateTable(
                name: "goal_event_retry",
                columns: table => new
                {
                    event_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    environment_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    first_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_goal_event_retry", x => x.event_id);
                });

            migrationBuilder.CreateTable(
                name: "ops_count",
                columns: table => new
                {
                    clause_id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    feature_version = table.Column<int>(type: "INTEGER", nullable: false),
                    auto_ops_rule_id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    environment_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    feature_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    evaluation_count = table.Column<long>(type: "INTEGER", nullable: false),
                    ops_event_count = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ops_count", x => new { x.clause_id, x.feature_version });
                });

            migrationBuilder.CreateTable(
                name: "ops_user",
                columns: table => new
                {
                    clause_id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    kind = table.Column<byte>(type: "INTEGER", nullable: false),
                    feature_version = table.Column<int>(type: "INTEGER", nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ops_user", x => new { x.clause_id, x.kind, x.feature_version, x.user_id });
                });

            migrationBuilder.CreateIndex(
                name: "ix_auto_ops_rule_active",
                table: "auto_ops_rule",
                columns: new[] { "status", "deleted" });

            migrationBuilder.CreateIndex(
                name: "ix_evaluation_event_user",
                table: "evaluation_event",
                columns: new[] { "environment_id", "feature_id", "feature_version", "user_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_evaluation_event_window",
                table: "evaluation_event",
                columns: new[] { "environment_id", "feature_id", "feature_version", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_experiment_live",
                table: "experiment",
                columns: new[] { "status", "stop_at" });

            migrationBuilder.CreateIndex(
                name: "ix_goal_event_window",
                table: "goal_event",
                columns: new[] { "experiment_id", "goal_id", "timestamp" });

            migrationBuilder.CreateIndex(
                name: "ix_goal_event_retry_due",
                table: "goal_event_retry",
                column: "next_attempt_at");

            migrationBuilder.CreateIndex(
                name: "ix_ops_count_rule",
                table: "ops_count",
                column: "auto_ops_rule_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "auto_ops_rule");

            migrationBuilder.DropTable(
                name: "evaluation_event");

            migrationBuilder.DropTable(
                name: "experiment");

            migrationBuilder.DropTable(
                name: "experiment_result");

            migrationBuilder.DropTable(
                name: "goal_event");

            migrationBuilder.DropTable(
                name: "goal_event_retry");

            migrationBuilder.DropTable(
                name: "ops_count");

            migrationBuilder.DropTable(
                name: "ops_user");
        }
    }
}
