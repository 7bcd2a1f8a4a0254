using Microsoft.Extensions.Configuration;
using Persisters.Consumers;
using Persisters.Host.Configuration;
using Persisters.Tests.Support;

namespace Persisters.Tests.Hosting;

/// <summary>
/// Every section goes through <see cref="Settings"/>: a value the binder cannot convert, a rule of the options class, in any
/// section (the transport's, the database's, the ingest limits, the persisters' nested parts), is named by its path and its
/// environment form, and stops the service with exit code 2.
/// </summary>
public sealed class When_every_section_is_read_the_one_way
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Theory]
    [InlineData("Persisters:Batch:ConcurrencyLimit", "lots", "Persisters:Batch:ConcurrencyLimit 'lots' is not a whole number (environment: Persisters__Batch__ConcurrencyLimit)")]
    [InlineData("Persisters:GoalRetry:BatchSize", "0", "Persisters:GoalRetry:BatchSize must be from 1 to 5000. (environment: Persisters__GoalRetry__BatchSize)")]
    [InlineData("Persisters:OnDemand", "yes", "Persisters:OnDemand 'yes' is not true or false (environment: Persisters__OnDemand)")]
    [InlineData("Persisters:GoalRetry:PollInterval", "00:00:00", "Persisters:GoalRetry:PollInterval must be above 0 and at most 1.00:00:00. (environment: Persisters__GoalRetry__PollInterval)")]
    public void A_bad_value_is_named_by_its_path_and_environment_form(string key, string value, string expected)
    {
        var ex = Assert.Throws<SettingsException>(() => Settings.Read<PersisterOptions>(Config((key, value)), PersisterOptions.SectionName));

        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void A_section_without_settings_has_the_defaults_of_its_class()
    {
        var read = Settings.Read<PersisterOptions>(Config(), PersisterOptions.SectionName);
        var defaults = new PersisterOptions();

        Assert.Equal(defaults.LateEventTail, read.LateEventTail);
        Assert.Equal(defaults.Batch.MessageLimit, read.Batch.MessageLimit);
        Assert.Equal(defaults.GoalRetry.MaxPeriod, read.GoalRetry.MaxPeriod);
        Assert.Equal(defaults.OnDemand, read.OnDemand);
    }

    [Fact]
    public void A_database_setting_that_was_not_read_before_is_read_and_checked()
    {
        Assert.Equal(250, DatabaseSettings.Read(Config(("Database:InsertChunkSize", "250"))).InsertChunkSize);
        var ex = Assert.Throws<SettingsException>(() => DatabaseSettings.Read(Config(("Database:InsertChunkSize", "5000"))));
        Assert.Contains("Database:InsertChunkSize must be from 1 to 2000. (environment: Database__InsertChunkSize)", ex.Message);
    }

    [Theory]
    [InlineData("Ingest__MaxJsonDepth", "deep", "Ingest:MaxJsonDepth 'deep' is not a whole number (environment: Ingest__MaxJsonDepth)")]
    [InlineData("Ingest__MaxJsonDepth", "2", "Ingest:MaxJsonDepth must be from 8 to 64.")]
    [InlineData("ExperimentLifecycle__LateEventTail", "1.00:00:00", "ExperimentLifecycle:LateEventTail is not a setting: set Persisters:LateEventTail")]
    [InlineData("Calculator__Interval", "00:07:00", "Calculator:Interval must divide a minute")]
    public async Task The_service_refuses_to_start_with_exit_code_2(string key, string value, string expected)
    {
        var (exit, output) = await HostCommand.RunAsync(new Dictionary<string, string?> { [key] = value }, "run");

        Assert.True(exit == 2, $"exit code {exit}:\n{output}");
        Assert.Contains(expected, output);
        Assert.DoesNotContain("   at ", output);
    }
}
