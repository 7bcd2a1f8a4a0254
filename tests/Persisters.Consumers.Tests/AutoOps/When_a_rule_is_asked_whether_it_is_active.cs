using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Persistence.Model;
using Persisters.Tests.Support;

namespace Persisters.Tests.AutoOps;

/// <summary>
/// "Active auto-ops rule" has one definition (<see cref="ActiveAutoOpsRule"/>: not deleted, Waiting or Running, as Bucketeer's
/// <c>count_auto_ops_rules.sql</c>); its three forms, compiled (the command consumer), EF Core query (the OPS definitions cache) and
/// hand-written SQL (the demand count), agree on every (status, deleted) pair on SQLite and MariaDB.
/// </summary>
public abstract class When_a_rule_is_asked_whether_it_is_active
{
    protected abstract Task<(DatabaseOptions Options, IAsyncDisposable Owner)> CreateDatabaseAsync();

    private static readonly int[] StoredStatuses = [0, 1, 2, 3, 7];

    [Fact]
    public void Only_a_waiting_or_running_rule_that_is_not_deleted_is_active()
    {
        var active = StoredStatuses.SelectMany(s => new[] { false, true }.Select(d => (Status: s, Deleted: d)))
            .Where(x => ActiveAutoOpsRule.IsActive((AutoOpsRuleStatus)x.Status, x.Deleted)).ToList();

        Assert.Equal([(0, false), (1, false)], active);
        Assert.Equal("deleted = 0 AND status IN (0, 1)", ActiveAutoOpsRule.SqlCondition);
    }

    [Fact]
    public async Task The_demand_count_the_definitions_cache_and_the_compiled_rule_agree()
    {
        var (options, owner) = await CreateDatabaseAsync();
        await using var _ = owner;
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddPersistersDatabase(options);
        await using var provider = services.BuildServiceProvider(true);
        await provider.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        var rows = StoredStatuses.SelectMany(s => new[] { false, true }.Select(d => new AutoOpsRuleRow
        {
            Id = Guid.NewGuid(), EnvironmentId = "env-1", FeatureId = "f", FeatureVersion = 1, Status = s, Deleted = d, Clauses = "[]",
        })).ToList();
        await using (var db = provider.GetRequiredService<IPersistersDbContextFactory>().CreateDbContext())
        {
            db.AutoOpsRules.AddRange(rows);
            await db.SaveChangesAsync();
        }
        var store = provider.GetRequiredService<DefinitionStore>();

        var expected = rows.Where(ActiveAutoOpsRule.IsActive).Select(r => r.Id).OrderBy(x => x).ToList();
        var loaded = (await store.LoadActiveRulesAsync(CancellationToken.None)).Select(r => r.RuleId).OrderBy(x => x).ToList();
        var (_, counted) = await store.CountDemandAsync(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), TimeSpan.FromDays(2), CancellationToken.None);

        Assert.Equal(2, expected.Count);
        Assert.Equal(expected, loaded);
        Assert.Equal(expected.Count, counted);
    }
}

public sealed class When_a_rule_is_asked_whether_it_is_active_on_SQLite : When_a_rule_is_asked_whether_it_is_active
{
    protected override Task<(DatabaseOptions Options, IAsyncDisposable Owner)> CreateDatabaseAsync()
    {
        var db = TestDatabase.Sqlite();
        return Task.FromResult<(DatabaseOptions, IAsyncDisposable)>((db.Options, db));
    }
}

public sealed class When_a_rule_is_asked_whether_it_is_active_on_MariaDb : When_a_rule_is_asked_whether_it_is_active
{
    protected override async Task<(DatabaseOptions Options, IAsyncDisposable Owner)> CreateDatabaseAsync()
    {
        var db = await TestDatabase.MariaDbAsync();
        return (db.Options, db);
    }
}
