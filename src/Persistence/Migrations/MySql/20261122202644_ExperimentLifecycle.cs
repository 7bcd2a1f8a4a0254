using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Persisters.Persistence.Migrations.MySql
{
    /// <inheritdoc />
    public partial class ExperimentLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "finish_timer_token_id",
                table: "experiment",
                type: "varchar(36)",
                maxLength: 36,
                nullable: true,
                collation: "utf8mb4_bin")
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "start_timer_token_id",
                table: "experiment",
                type: "varchar(36)",
                maxLength: 36,
                nullable: true,
                collation: "utf8mb4_bin")
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<string>(
                name: "stop_timer_token_id",
                table: "experiment",
                type: "varchar(36)",
                maxLength: 36,
                nullable: true,
                collation: "utf8mb4_bin")
                .Annotation("MySql:CharSet", "utf8mb4");

            migrationBuilder.AddColumn<int>(
                name: "version",
                table: "experiment",
                type: "int",
                nullable: false,
                defaultValue: 0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "finish_timer_token_id",
                table: "experiment");

            migrationBuilder.DropColumn(
                name: "start_timer_token_id",
                table: "experiment");

            migrationBuilder.DropColumn(
                name: "stop_timer_token_id",
                table: "experiment");

            migrationBuilder.DropColumn(
                name: "version",
                table: "experiment");
        }
    }
}
