using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Persisters.Persistence.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 36,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "start_timer_token_id",
                table: "experiment",
                type: "TEXT",
                maxLength: 36,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "stop_timer_token_id",
                table: "experiment",
                type: "TEXT",
                maxLength: 36,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "version",
                table: "experiment",
                type: "INTEGER",
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
