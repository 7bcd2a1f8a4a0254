using Microsoft.EntityFrameworkCore;

namespace Persisters.Persistence;

public sealed class SqlitePersistersDbContext(DbContextOptions<SqlitePersistersDbContext> options) : PersistersDbContext(options)
{
    protected override string LargeTextType => "TEXT";
}
