namespace Persisters.Persistence;

/// <summary>Creates the provider's context behind the provider-neutral base type.</summary>
public interface IPersistersDbContextFactory
{
    PersistersDbContext CreateDbContext();
}
