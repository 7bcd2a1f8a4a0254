using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Persisters.Persistence.Migrations.Sqlite
{
    /// <summary>
    /// Nothing to do on SQLite: its columns use the BINARY collation (no COLLATE clause anywhere), which already compares
    /// byte for byte, trailing spaces included. Kept so both providers' migration sets stay in step.
    /// </summary>
    public partial class ByteExactIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
