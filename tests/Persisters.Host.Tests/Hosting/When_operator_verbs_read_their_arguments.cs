using Persisters.Contracts;
using Persisters.Host.Cli;
using Persisters.Host.Configuration;

namespace Persisters.Tests.Hosting;

public sealed class When_operator_verbs_read_their_arguments
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_clause_gives_every_field_and_ge_by_default()
    {
        var clause = OperatorCommands.ParseClause("green:error:50:0.25");

        Assert.Equal("green", clause.VariationId);
        Assert.Equal("error", clause.GoalId);
        Assert.Equal(50, clause.MinCount);
        Assert.Equal(0.25, clause.Threshold);
        Assert.Equal(RateOperator.GreaterOrEqual, clause.Operator);
        Assert.Equal(AutoOpsAction.Disable, clause.Action);
        Assert.NotEqual(Guid.Empty, clause.ClauseId);
        Assert.Equal(RateOperator.LessOrEqual, OperatorCommands.ParseClause("green:error:50:0.25:le").Operator);
    }

    [Theory]
    [InlineData("green:error:50")]
    [InlineData("green:error:many:0.5")]
    [InlineData("green:error:50:half")]
    [InlineData("green:error:50:0.5:gt")]
    public void A_malformed_clause_is_a_settings_error_that_shows_the_form(string text)
    {
        var error = Assert.Throws<SettingsException>(() => OperatorCommands.ParseClause(text));

        Assert.Contains($"'{text}'", error.Message);
    }

    [Theory]
    [InlineData("now", 1795348800)]
    [InlineData("1795000000", 1795000000)]
    [InlineData("2026-12-01T09:00:00Z", 1796115600)]
    [InlineData("2026-12-01T10:00:00+01:00", 1796115600)]
    public void A_time_is_now_unix_seconds_or_ISO_8601(string text, long expected) =>
        Assert.Equal(expected, OperatorCommands.ParseTime("--start-at", text, Now));

    [Fact]
    public void A_time_that_is_none_of_those_names_the_option()
    {
        var error = Assert.Throws<SettingsException>(() => OperatorCommands.ParseTime("--stop-at", "next tuesday", Now));

        Assert.Contains("--stop-at 'next tuesday'", error.Message);
    }
}
