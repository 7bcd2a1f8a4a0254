using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Persisters.Persistence;

// Used only by `dotnet ef migrations add`; no connection is opened.
internal sealed class MySqlDesignTimeFactory : IDesignTimeDbContextFactory<MySqlPersistersDbContext>
{
    public MySqlPersistersDbContext CreateDbContext(string[] args)
    {
        var b = new DbContextOptionsBuilder<MySqlPersistersDbContext>();
        var options = new DatabaseOptions
        {
            Provider = DatabaseProvider.MySql,
            ConnectionString = "Server=127.0.0.1;Database=persisters_design",
        };
        // `dotnet ef migrations script` writes the collation of this server version (MySqlTextCollation).
        options.ServerVersion = Environment.GetEnvironmentVariable("Database__ServerVersion") ?? options.ServerVersion;
        PersistenceServiceCollectionExtensions.ConfigureMySql(b, options);
        return new MySqlPersistersDbContext(b.Options);
    }
}
