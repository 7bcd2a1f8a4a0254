using Microsoft.Extensions.DependencyInjection;
using Persisters.Contracts;
using Persisters.Persistence;
using Persisters.Sagas.Tests.Support;

namespace Persisters.Sagas.Tests;

/// <summary>
/// Experiment and rule commands are measured in the columns' unit, characters (code points): an emoji is one character
/// (two UTF-16 units), so 255 of them fit varchar(255) on MariaDB and are accepted, and one more is rejected with a
/// reason, never a database error. Runs on SQLite and on MariaDB.
/// </summary>
public abstract class When_command_fields_are_at_their_column_lengths
{
    private static string Emojis(int characters) => string.Concat(Enumerable.Repeat("😀", characters));

    protected abstract Task<TestDatabase> DatabaseAsync();

    [Fact]
    public async Task An_experiment_whose_fields_fill_their_columns_with_emoji_is_created_and_stored_whole()
    {
        await using var database = await DatabaseAsync();
        await using var h = await LifecycleHarness.StartAsync(database);
        var variation = Emojis(PersistersDbContext.IdLength - 1) + "A";
        var create = Experiments.Create() with
        {
            EnvironmentId = Emojis(PersistersDbContext.EnvironmentIdLength),
            Name = Emojis(PersistersDbContext.IdLength),
            FeatureId = Emojis(PersistersDbContext.IdLength),
            VariationIds = [variation, "B"],
            BaselineVariationId = variation,
            GoalIds = [Emojis(PersistersDbContext.IdLength)],
        };

        (await h.SendAsync(create)).ShouldBeAccepted();

        var row = await h.RequiredRowAsync(create.ExperimentId);
        Assert.Equal((create.EnvironmentId, create.Name, create.FeatureId, variation), (row.EnvironmentId, row.Name, row.FeatureId, row.BaseVariationId));
        Assert.Equal($"[\"{variation}\",\"B\"]", row.Variations); // stored unescaped
    }

    [Theory]
    [InlineData("environment", "environment id is longer than 64 characters")]
    [InlineData("name", "name is longer than 255 characters")]
    [InlineData("feature", "feature id is longer than 255 characters")]
    [InlineData("variation", "variation id '")]
    [InlineData("goal", "goal id '")]
    public async Task One_character_more_is_rejected_with_its_reason(string field, string reason)
    {
        await using var database = await DatabaseAsync();
        await using var h = await LifecycleHarness.StartAsync(database);
        var valid = Experiments.Create();
        var create = field switch
        {
            "environment" => valid with { EnvironmentId = Emojis(PersistersDbContext.EnvironmentIdLength + 1) },
            "name" => valid with { Name = Emojis(PersistersDbContext.IdLength + 1) },
            "feature" => valid with { FeatureId = Emojis(PersistersDbContext.IdLength + 1) },
            "variation" => valid with { VariationIds = [valid.BaselineVariationId, Emojis(PersistersDbContext.IdLength + 1)] },
            "goal" => valid with { GoalIds = [Emojis(PersistersDbContext.IdLength + 1)] },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        var rejected = (await h.SendAsync(create)).ShouldBeRejected(reason);

        Assert.DoesNotContain('\uFFFD', rejected.Reason); // a quoted id is shortened between characters
        Assert.Null(await h.RowAsync(create.ExperimentId));
    }

    [Fact]
    public async Task A_rule_is_measured_against_its_columns_an_environment_of_64_characters_and_a_feature_of_255()
    {
        await using var database = await DatabaseAsync();
        await using var h = await LifecycleHarness.StartAsync(database);
        var clause = new EventRateClause
        {
            ClauseId = Guid.NewGuid(), VariationId = Emojis(PersistersDbContext.IdLength), GoalId = "error", MinCount = 50, Threshold = 0.5,
        };
        var fits = new CreateAutoOpsRule
        {
            RuleId = Guid.NewGuid(),
            EnvironmentId = Emojis(PersistersDbContext.EnvironmentIdLength),
            FeatureId = Emojis(PersistersDbContext.IdLength),
            FeatureVersion = 1,
            Clauses = [clause],
        };

        (await h.SendRuleCommandAsync(fits)).ShouldBeAccepted();
        (await h.SendRuleCommandAsync(fits with { RuleId = Guid.NewGuid(), EnvironmentId = new string('e', 65) }))
            .ShouldBeRejected("EnvironmentId is longer than 64 characters");
        (await h.SendRuleCommandAsync(fits with { RuleId = Guid.NewGuid(), FeatureId = Emojis(PersistersDbContext.IdLength + 1) }))
            .ShouldBeRejected("FeatureId is longer than 255 characters");
        (await h.SendRuleCommandAsync(fits with { RuleId = Guid.NewGuid(), Clauses = [clause with { VariationId = Emojis(PersistersDbContext.IdLength + 1) }] }))
            .ShouldBeRejected("VariationId is longer than 255 characters");

        var rule = Assert.Single(await h.Provider.GetRequiredService<DefinitionStore>().LoadActiveRulesAsync(CancellationToken.None));
        Assert.Equal((fits.EnvironmentId, fits.FeatureId, clause.VariationId), (rule.EnvironmentId, rule.FeatureId, rule.Clauses[0].VariationId));
    }
}

public sealed class When_command_fields_are_at_their_column_lengths_on_SQLite : When_command_fields_are_at_their_column_lengths
{
    protected override Task<TestDatabase> DatabaseAsync() => Task.FromResult(TestDatabase.Sqlite());
}

public sealed class When_command_fields_are_at_their_column_lengths_on_MariaDb : When_command_fields_are_at_their_column_lengths
{
    protected override Task<TestDatabase> DatabaseAsync() => TestDatabase.MariaDbAsync();
}
