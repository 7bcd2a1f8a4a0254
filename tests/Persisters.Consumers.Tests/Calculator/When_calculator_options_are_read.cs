using Persisters.Consumers.Calculator;

namespace Persisters.Tests.Calculator;

public sealed class When_calculator_options_are_read
{
    [Theory]
    [InlineData("00:00:30", "0/30 * * * * ?")]
    [InlineData("00:05:00", "0 0/5 * * * ?")]
    [InlineData("00:30:00", "0 0/30 * * * ?")]
    [InlineData("02:00:00", "0 0 0/2 * * ?")]
    [InlineData("1.00:00:00", "0 0 0 * * ?")]
    public void An_interval_that_divides_its_unit_becomes_a_cron_expression(string interval, string cron)
    {
        var options = new CalculatorOptions { Interval = TimeSpan.Parse(interval) };

        Assert.Equal(cron, options.CronExpression);
        Assert.Empty(options.GetErrors());
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:07")]
    [InlineData("00:07:00")]
    [InlineData("00:05:30")]
    [InlineData("05:00:00")]
    [InlineData("2.00:00:00")]
    public void Any_other_interval_is_named_as_the_error(string interval)
    {
        var errors = new CalculatorOptions { Interval = TimeSpan.Parse(interval) }.GetErrors();

        Assert.Contains(errors, e => e.StartsWith("Calculator:Interval must divide", StringComparison.Ordinal));
    }

    [Fact]
    public void The_defaults_are_every_five_minutes_enabled()
    {
        var options = new CalculatorOptions();

        Assert.True(options.Enabled);
        Assert.Equal(TimeSpan.FromMinutes(5), options.Interval);
        Assert.Empty(options.GetErrors());
    }
}
