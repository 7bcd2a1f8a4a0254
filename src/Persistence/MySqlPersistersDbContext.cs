using Microsoft.EntityFrameworkCore;

namespace Persisters.Persistence;

public sealed class MySqlPersistersDbContext(DbContextOptions<MySqlPersistersDbContext> options) : PersistersDbContext(options)
{
    protected override string LargeTextType => "longtext";

    // Ids compare byte for byte, as on SQLite: "abc", "ABC" and "abc " are three events, not duplicates. Every table and
    // column gets the collation explicitly, so the database's default collation does not matter.
    protected override void ConfigureProvider(ModelBuilder b) => b.HasCharSet("utf8mb4").UseCollation(MySqlTextCollation.ModelName);
}
