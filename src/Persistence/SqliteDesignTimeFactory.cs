using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Persisters.Persistence;

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqlitePersistersDbContext>
{
    public SqlitePersistersDbContext CreateDbContext(string[] args)
    {
        var b = new DbContextOptionsBuilder<SqlitePersistersDbContext>();
        PersistenceServiceCollectionExtensions.ConfigureSqlite(b, new DatabaseOptions());
        return new SqlitePersistersDbContext(b.Options);
    }
}
