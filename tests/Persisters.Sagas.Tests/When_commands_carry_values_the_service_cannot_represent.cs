using Persisters.Contracts;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

/// <summary>One lifecycle harness for a class of hostile-value tests (each test uses its own ids).</summary>
public abstract class HostileValuesHarness : IAsyncLifetime
{
    private TestDatabase? _database;

    public LifecycleHarness H { get; private set; } = null!;

    protected abstract Task<TestDatabase> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _database = await CreateDatabaseAsync();
        H = await LifecycleHarness.StartAsync(_database);
    }

    public async Task DisposeAsync()
    {
        await H.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}

public sealed class SqliteHostileValuesHarness : HostileValuesHarness
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

public sealed class MariaDbHostileValuesHarness : HostileValuesHarness
{
    protected override Task<TestDatabase> CreateDatabaseAsync() => TestDatabase.MariaDbAsync();
}

/// <summary>
/// Field report: a create with <c>start_at</c> in milliseconds faulted the saga (ArgumentOutOfRangeException) and the sender got a
/// RequestFaultException. Any sender (not only our CLI) may send any value the contract's types can carry: every field of every
/// command is checked, and the answer is <c>rejected: reason</c>, never a fault, and nothing is stored.
/// </summary>
public abstract class When_commands_carry_values_the_service_cannot_represent(HostileValuesHarness fixture)
{
    private LifecycleHarness H => fixture.H;

    /// <summary>The last second DateTimeOffset can hold: 9999-12-31T23:59:59Z.</summary>
    private const long MaxUnixSeconds = 253_402_300_799;

    private static readonly string Long256 = new('x', 256);

    public static TheoryData<string, Func<CreateExperiment, CreateExperiment>, string> HostileCreates => new()
    {
        { "start in milliseconds", c => c with { StartAt = 1_796_035_161_000, StopAt = 1_796_035_161_000 + 86_400_000 }, "start_at (1796035161000)" },
        { "stop in milliseconds", c => c with { StopAt = 1_796_035_161_000 }, "stop_at (1796035161000)" },
        { "start at long max", c => c with { StartAt = long.MaxValue, StopAt = long.MaxValue }, "start_at" },
        { "stop at long max", c => c with { StopAt = long.MaxValue }, "stop_at" },
        { "start at long min", c => c with { StartAt = long.MinValue }, "start_at" },
        { "start before 1970", c => c with { StartAt = -1 }, "start_at (-1)" },
        { "stop whose late-event tail passes year 9999", c => c with { StopAt = MaxUnixSeconds - 60 }, "late-event tail" },
        { "start after year 9999", c => c with { StartAt = MaxUnixSeconds + 1, StopAt = MaxUnixSeconds + 2 }, "start_at" },
        { "null environment", c => c with { EnvironmentId = null! }, "environment id is empty" },
        { "null name", c => c with { Name = null! }, "name is empty" },
        { "null feature", c => c with { FeatureId = null! }, "feature id is empty" },
        { "null baseline", c => c with { BaselineVariationId = null! }, "baseline variation" },
        { "null variations", c => c with { VariationIds = null! }, "no variations" },
        { "null variation id", c => c with { VariationIds = ["blue", null!] }, "a variation id is empty" },
        { "null goals", c => c with { GoalIds = null! }, "no goals" },
        { "null goal id", c => c with { GoalIds = [null!] }, "a goal id is empty" },
        { "name over its column", c => c with { Name = Long256 }, "name is longer than 255 characters" },
        { "feature over its column", c => c with { FeatureId = Long256 }, "feature id is longer than 255 characters" },
        { "environment over its column", c => c with { EnvironmentId = new string('e', 65) }, "environment id is longer than 64 characters" },
        { "variation over its column", c => c with { VariationIds = ["blue", Long256], BaselineVariationId = "blue" }, "is longer than 255 characters" },
        { "baseline over its column", c => c with { VariationIds = [Long256], BaselineVariationId = Long256 }, "is longer than 255 characters" },
        { "goal over its column", c => c with { GoalIds = [Long256] }, "is longer than 255 characters" },
        { "feature version int min", c => c with { FeatureVersion = int.MinValue }, "feature version is negative" },
        { "duplicate variations", c => c with { VariationIds = ["blue", "green", "blue"] }, "variation ids are not unique" },
        { "too many variations", c => c with { VariationIds = Ids("v", 101), BaselineVariationId = "v0" }, "at most 100 variations (101 given)" },
        { "too many goals", c => c with { GoalIds = Ids("g", 101) }, "at most 100 goals (101 given)" },
        {
            "a definition larger than a broker message may carry",
            c => c with { VariationIds = Ids(new string('\u4e00', 250), 60), BaselineVariationId = new string('\u4e00', 250) + "0", GoalIds = Ids(new string('\u4e00', 250), 60) },
            "bytes"
        },
    };

    private static string[] Ids(string prefix, int count) => Enumerable.Range(0, count).Select(i => prefix + i).ToArray();

    [Theory]
    [MemberData(nameof(HostileCreates))]
    public async Task A_create_with_a_hostile_value_is_rejected_not_faulted_and_stores_nothing(string _, Func<CreateExperiment, CreateExperiment> spoil,
        string reason)
    {
        var create = spoil(Experiments.Create());

        var rejected = (await H.SendAsync(create)).ShouldBeRejected(reason);

        Assert.Equal(nameof(CreateExperiment), rejected.Command);
        Assert.Null(await H.RowAsync(create.ExperimentId));
    }

    [Fact]
    public async Task Ids_are_measured_in_characters_as_their_columns_are()
    {
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 255)); // 255 characters, 510 UTF-16 code units
        var create = Experiments.Create() with { Name = emoji, VariationIds = [emoji, "green"], BaselineVariationId = emoji };

        (await H.SendAsync(create)).ShouldBeAccepted("created");

        var row = await H.RequiredRowAsync(create.ExperimentId);
        Assert.Equal(emoji, row.Name);
        Assert.Equal(emoji, row.BaseVariationId);
    }

    public static TheoryData<string, long, long, string> HostilePeriods => new()
    {
        { "start in milliseconds", 1_796_035_161_000, 1_796_035_161_000 + 86_400_000, "start_at (1796035161000)" },
        { "stop at long max", Experiments.Now, long.MaxValue, "stop_at" },
        { "start at long min", long.MinValue, Experiments.Now + 3600, "start_at" },
        { "stop whose late-event tail passes year 9999", Experiments.Now, MaxUnixSeconds - 60, "late-event tail" },
    };

    [Theory]
    [MemberData(nameof(HostilePeriods))]
    public async Task A_period_change_with_a_hostile_time_is_rejected_for_a_waiting_and_a_running_experiment(string _, long startAt, long stopAt, string reason)
    {
        var waiting = await H.CreateAsync(Experiments.Create());
        var running = await H.CreateAsync(Experiments.CreateRunning());

        foreach (var id in new[] { waiting.ExperimentId, running.ExperimentId })
        {
            var rejected = (await H.SendAsync(new ChangeExperimentPeriod { ExperimentId = id, StartAt = startAt, StopAt = stopAt })).ShouldBeRejected(reason);
            Assert.Equal(nameof(ChangeExperimentPeriod), rejected.Command);
        }
        Assert.Equal(waiting.StopAt, (await H.RequiredRowAsync(waiting.ExperimentId)).StopAt);
        Assert.Equal(running.StopAt, (await H.RequiredRowAsync(running.ExperimentId)).StopAt);
    }

    [Fact]
    public async Task An_experiment_may_end_on_the_last_representable_day()
    {
        var tail = (long)TimeSpan.FromDays(2).TotalSeconds;
        var waiting = Experiments.Create() with { StopAt = MaxUnixSeconds - tail };
        var running = Experiments.CreateRunning() with { StopAt = MaxUnixSeconds - tail };

        (await H.SendAsync(waiting)).ShouldBeAccepted("created");
        (await H.SendAsync(running)).ShouldBeAccepted("created and started");
        (await H.SendAsync(new StopExperiment { ExperimentId = running.ExperimentId })).ShouldBeAccepted("stopped");
    }

    private static readonly Func<EventRateClause> Clause = () => new EventRateClause
    {
        ClauseId = Guid.NewGuid(), VariationId = "green", GoalId = "error", MinCount = 50, Threshold = 0.5, Operator = RateOperator.GreaterOrEqual,
    };

    private static CreateAutoOpsRule Rule() => new()
    {
        RuleId = Guid.NewGuid(), EnvironmentId = "env-1", FeatureId = "checkout-button", FeatureVersion = 3, Clauses = [Clause()],
    };

    public static TheoryData<string, Func<CreateAutoOpsRule, CreateAutoOpsRule>, string> HostileRules => new()
    {
        { "null environment", r => r with { EnvironmentId = null! }, "EnvironmentId is required" },
        { "null feature", r => r with { FeatureId = null! }, "FeatureId is required" },
        { "environment over its column", r => r with { EnvironmentId = new string('e', 65) }, "EnvironmentId is longer than 64 characters" },
        { "feature over its column", r => r with { FeatureId = Long256 }, "FeatureId is longer than 255 characters" },
        { "feature version int min", r => r with { FeatureVersion = int.MinValue }, "FeatureVersion must not be negative" },
        { "null clauses", r => r with { Clauses = null! }, "at least one clause" },
        { "null clause", r => r with { Clauses = [null!] }, "clause 1 is missing" },
        { "null variation", r => r with { Clauses = [Clause() with { VariationId = null! }] }, "VariationId is required" },
        { "null goal", r => r with { Clauses = [Clause() with { GoalId = null! }] }, "GoalId is required" },
        { "variation over its column", r => r with { Clauses = [Clause() with { VariationId = Long256 }] }, "VariationId is longer than 255 characters" },
        { "goal over its column", r => r with { Clauses = [Clause() with { GoalId = Long256 }] }, "GoalId is longer than 255 characters" },
        { "min count long min", r => r with { Clauses = [Clause() with { MinCount = long.MinValue }] }, "MinCount must be at least 1" },
        { "threshold max", r => r with { Clauses = [Clause() with { Threshold = double.MaxValue }] }, "Threshold must be" },
        { "threshold below zero", r => r with { Clauses = [Clause() with { Threshold = -0.5 }] }, "Threshold must be" },
        { "undefined operator", r => r with { Clauses = [Clause() with { Operator = (RateOperator)7 }] }, "Operator 7" },
        { "undefined action", r => r with { Clauses = [Clause() with { Action = (AutoOpsAction)99 }] }, "Action must be Disable" },
        { "empty clause id", r => r with { Clauses = [Clause() with { ClauseId = Guid.Empty }] }, "ClauseId is required" },
        { "too many clauses", r => r with { Clauses = Enumerable.Range(0, 101).Select(_ => Clause()).ToArray() }, "a rule has at most 100 clauses (101 given)" },
    };

    [Theory]
    [MemberData(nameof(HostileRules))]
    public async Task A_rule_with_a_hostile_value_is_rejected_not_faulted_and_stores_nothing(string _, Func<CreateAutoOpsRule, CreateAutoOpsRule> spoil,
        string reason)
    {
        var create = spoil(Rule());

        var rejected = (await H.SendRuleCommandAsync(create)).ShouldBeRejected(reason);

        Assert.Equal(CreateAutoOpsRule.MessageName, rejected.Command);
        Assert.Null(await H.RuleRowAsync(create.RuleId));
    }

    /// <remarks>
    /// The bus's JSON (MassTransit's System.Text.Json options, strict number handling) can neither write nor read NaN or
    /// Infinity: our CLI refuses them before sending, and a raw body with "NaN" fails to deserialize and is dead-lettered. The
    /// rule still refuses them for any serializer that could carry them.
    /// </remarks>
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_threshold_that_is_not_a_finite_number_is_a_problem(double threshold) =>
        Assert.Equal("clause 1: Threshold must be in (0, 1]",
            Persisters.Consumers.AutoOps.AutoOpsRuleValidation.ProblemWithCreate(Rule() with { Clauses = [Clause() with { Threshold = threshold }] }));

    [Fact]
    public async Task A_clause_id_of_another_rule_is_rejected_because_counts_are_kept_per_clause()
    {
        var first = Rule();
        (await H.SendRuleCommandAsync(first)).ShouldBeAccepted("created");
        var second = Rule() with { Clauses = [Clause() with { ClauseId = first.Clauses[0].ClauseId }] };

        (await H.SendRuleCommandAsync(second)).ShouldBeRejected($"ClauseId {first.Clauses[0].ClauseId} belongs to rule {first.RuleId}");

        Assert.Null(await H.RuleRowAsync(second.RuleId));
    }

    [Fact]
    public async Task Every_command_that_names_no_experiment_or_rule_is_rejected()
    {
        (await H.SendAsync(new StartExperiment { ExperimentId = Guid.Empty })).ShouldBeRejected("unknown experiment");
        (await H.SendAsync(new ChangeExperimentPeriod { ExperimentId = Guid.Empty, StartAt = long.MinValue, StopAt = long.MaxValue })).ShouldBeRejected("unknown experiment");
        (await H.SendRuleCommandAsync(new StopAutoOpsRule { RuleId = Guid.Empty })).ShouldBeRejected("no such rule");
        (await H.SendRuleCommandAsync(new DeleteAutoOpsRule { RuleId = Guid.Empty })).ShouldBeRejected("no such rule");
    }
}

public sealed class When_commands_carry_values_the_service_cannot_represent_on_SQLite(SqliteHostileValuesHarness fixture)
    : When_commands_carry_values_the_service_cannot_represent(fixture), IClassFixture<SqliteHostileValuesHarness>;

public sealed class When_commands_carry_values_the_service_cannot_represent_on_MariaDb(MariaDbHostileValuesHarness fixture)
    : When_commands_carry_values_the_service_cannot_represent(fixture), IClassFixture<MariaDbHostileValuesHarness>;
