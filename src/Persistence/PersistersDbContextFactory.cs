using Microsoft.EntityFrameworkCore;

namespace Persisters.Persistence;

internal sealed class PersistersDbContextFactory<T>(IDbContextFactory<T> inner) : IPersistersDbContextFactory
    where T : PersistersDbContext
{
    public PersistersDbContext CreateDbContext() => inner.CreateDbContext();
}
