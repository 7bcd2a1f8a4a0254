using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Persisters.Persistence.Migrations.MySql
{
    /// <summary>
    /// Every text column from utf8mb4_bin (PAD SPACE: 'evt-1' = 'evt-1 ') to the server's NO PAD binary collation
    /// (utf8mb4_nopad_bin on MariaDB, utf8mb4_0900_bin on MySQL; see <see cref="MySqlTextCollation"/>), one table
    /// rebuild per table. Existing rows stay as they are: no two of them can collide under the stricter comparison.
    /// Edited by hand from the generated column-by-column form, which rebuilds a table once per indexed column.
    /// </summary>
    public partial class ByteExactIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase(collation: "utf8mb4_nopad_bin", oldCollation: "utf8mb4_bin")
                .Annotation("MySql:CharSet", "utf8mb4")
                .OldAnnotation("MySql:CharSet", "utf8mb4");
            migrationBuilder.ConvertTableCollation("auto_ops_rule", "utf8mb4_nopad_bin");
            migrationBuilder.ConvertTableCollation("evaluation_event", "utf8mb4_nopad_bin");
            migrationBuilder.ConvertTableCollation("experiment", "utf8mb4_nopad_bin");
            migrationBuilder.ConvertTableCollation("experiment_result", "utf8mb4_nopad_bin");
            migrationBuilder.ConvertTableCollation("goal_event", "utf8mb4_nopad_bin");
            migrationBuilder.ConvertTableCollation("goal_event_retry", "utf8mb4_nopad_bin");
            migrationBuilder.ConvertTableCollation("ops_count", "utf8mb4_nopad_bin");
            migrationBuilder.ConvertTableCollation("ops_user", "utf8mb4_nopad_bin");
        }

        /// <inheritdoc />
        /// <remarks>Fails with a duplicate key once the tables hold ids that differ only by trailing spaces.</remarks>
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase(collation: "utf8mb4_bin", oldCollation: "utf8mb4_nopad_bin")
                .Annotation("MySql:CharSet", "utf8mb4")
                .OldAnnotation("MySql:CharSet", "utf8mb4");
            migrationBuilder.ConvertTableCollation("auto_ops_rule", "utf8mb4_bin");
            migrationBuilder.ConvertTableCollation("evaluation_event", "utf8mb4_bin");
            migrationBuilder.ConvertTableCollation("experiment", "utf8mb4_bin");
            migrationBuilder.ConvertTableCollation("experiment_result", "utf8mb4_bin");
            migrationBuilder.ConvertTableCollation("goal_event", "utf8mb4_bin");
            migrationBuilder.ConvertTableCollation("goal_event_retry", "utf8mb4_bin");
            migrationBuilder.ConvertTableCollation("ops_count", "utf8mb4_bin");
            migrationBuilder.ConvertTableCollation("ops_user", "utf8mb4_bin");
        }
    }
}
