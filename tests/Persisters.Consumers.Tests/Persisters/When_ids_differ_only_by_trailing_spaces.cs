using Microsoft.EntityFrameworkCore;
using Persisters.Consumers;
using Persisters.Contracts;
using Persisters.Tests.Support;

namespace Persisters.Tests.Persisters;

/// <summary>
/// Every id and user id compares byte for byte on both providers: a trailing space or another case makes another id.
/// MariaDB's utf8mb4_bin is PAD SPACE ("a" = "a "), so these cases fail there unless every key column is NO PAD.
/// </summary>
public abstract class Ids_compare_byte_for_byte
{
    private const string Dwh = "evaluation-events-dwh";

    protected abstract Task<PersisterHarness> StartAsync(Action<PersisterOptions>? configure = null);

    [Fact]
    public async Task Evaluation_ids_that_differ_by_a_trailing_space_or_case_are_three_events()
    {
        await using var h = await StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));

        await h.PublishAsync(Events.Evaluation(now - 10, id: "evt-1"), Events.Evaluation(now - 10, id: "evt-1 "), Events.Evaluation(now - 10, id: "EVT-1"));

        Assert.Equal(["EVT-1", "evt-1", "evt-1 "], (await h.EvaluationRowsAsync()).Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(0, h.Metrics.Sum("persisters_events_duplicate", ("persister", Dwh)));
    }

    [Fact]
    public async Task Goal_event_ids_that_differ_by_a_trailing_space_are_two_goal_rows()
    {
        await using var h = await StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        await h.PublishAsync(Events.Evaluation(now - 100));

        await h.PublishAsync(Events.Goal(now - 10, id: "goal-evt"), Events.Goal(now - 10, id: "goal-evt "));

        Assert.Equal(["goal-evt", "goal-evt "], (await h.GoalRowsAsync()).Select(r => r.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Parked_goal_ids_that_differ_by_a_trailing_space_are_two_parked_goals()
    {
        await using var h = await StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));

        await h.PublishAsync(Events.Goal(now - 10, id: "parked"), Events.Goal(now - 10, id: "parked "));

        var parked = await h.QueryAsync(db => db.GoalEventRetries.AsNoTracking().Select(r => r.EventId).ToListAsync());
        Assert.Equal(["parked", "parked "], parked.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_goal_of_user_u_space_is_not_linked_to_the_evaluation_of_user_u()
    {
        await using var h = await StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        await h.PublishAsync(Events.Evaluation(now - 100, user: "u", variation: "B"));

        await h.PublishAsync(Events.Goal(now - 10, user: "u ", id: "of-u-space"), Events.Goal(now - 10, user: "U", id: "of-upper-u"));

        Assert.Empty(await h.GoalRowsAsync());
        var parked = await h.QueryAsync(db => db.GoalEventRetries.AsNoTracking().Select(r => r.EventId).ToListAsync());
        Assert.Equal(["of-u-space", "of-upper-u"], parked.Order(StringComparer.Ordinal));

        await h.PublishAsync(Events.Evaluation(now - 50, user: "u ", variation: "A"));
        h.Clock.Advance(TimeSpan.FromHours(1));
        await h.RunGoalRetriesAsync();
        Assert.Equal(1, h.Metrics.Sum("persisters_goal_retries", ("outcome", "linked")));
        var row = Assert.Single(await h.GoalRowsAsync());
        Assert.Equal(("of-u-space", "u ", "A"), (row.Id, row.UserId, row.VariationId));
    }

    [Fact]
    public async Task Users_u_and_u_space_are_two_distinct_users_of_a_kill_switch_clause()
    {
        await using var h = await StartAsync();
        var now = h.Clock.UnixNow;
        var rule = new AutoOpsRuleDefinition
        {
            RuleId = Guid.NewGuid(),
            EnvironmentId = Events.Env,
            FeatureId = "flag-1",
            FeatureVersion = 1,
            Status = AutoOpsRuleStatus.Running,
            Clauses = [new EventRateClause { ClauseId = Guid.NewGuid(), VariationId = "B", GoalId = "error", MinCount = 10, Threshold = 0.5 }],
        };
        await h.SeedAsync(rule);

        await h.PublishAsync(Events.Evaluation(now, user: "u", variation: "B"), Events.Evaluation(now, user: "u ", variation: "B"),
            Events.Evaluation(now, user: "U", variation: "B"));
        await h.PublishAsync(Events.Goal(now, user: "u", goal: "error"), Events.Goal(now, user: "u ", goal: "error"));
        await h.PublishAsync(Events.Evaluation(now, user: "u ", variation: "B")); // the same user again adds nothing

        var count = await h.QueryAsync(db => db.OpsCounts.AsNoTracking().SingleAsync());
        Assert.Equal(3, count.EvaluationCount);
        Assert.Equal(2, count.OpsEventCount);
        var users = await h.QueryAsync(db => db.OpsUsers.AsNoTracking().Where(u => u.Kind == 0).Select(u => u.UserId).ToListAsync());
        Assert.Equal(["U", "u", "u "], users.Order(StringComparer.Ordinal));
    }
}

public sealed class Ids_compare_byte_for_byte_on_SQLite : Ids_compare_byte_for_byte
{
    protected override Task<PersisterHarness> StartAsync(Action<PersisterOptions>? configure = null) => PersisterHarness.StartAsync(configure);
}

/// <summary>On a database created with the server's default character set and collation (latin1 on a bare MariaDB).</summary>
public sealed class Ids_compare_byte_for_byte_on_MariaDb : Ids_compare_byte_for_byte, IAsyncLifetime
{
    private TestDatabase? _database;

    public async Task InitializeAsync() => _database = await TestDatabase.MariaDbAsync(serverDefaultCollation: true);

    public async Task DisposeAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }

    protected override Task<PersisterHarness> StartAsync(Action<PersisterOptions>? configure = null) =>
        PersisterHarness.StartAsync(configure, _database!.Options);
}
