using Microsoft.Extensions.Configuration;
using Persisters.Host.Configuration;
using Persisters.Persistence;
using Persisters.Scheduling;

namespace Persisters.Tests.Hosting;

/// <summary>
/// A setting that names one of a fixed set takes exactly one name: .NET's enum parsing would also take a number or a comma
/// list (flags ORed: RabbitMq,AmazonSqs = 1|2 = AzureServiceBus), and the console logger silently falls back for a name it
/// does not know.
/// </summary>
public sealed class When_enumerated_settings_are_read
{
    private static ConfigurationManager Config(params (string Key, string Value)[] values)
    {
        var manager = new ConfigurationManager();
        manager.AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)));
        return manager;
    }

    private static readonly (string, string)[] RabbitMq =
        [("Transport:RabbitMq:Host", "h"), ("Transport:RabbitMq:Username", "u"), ("Transport:RabbitMq:Password", "p")];

    public static TheoryData<string> NotOneTransport =>
        ["RabbitMq,AmazonSqs", "InMemory,AmazonSqs", "InMemory, RabbitMq", "1", "+1", " 2 ", "-1", "0x1", "Rabbit Mq", "RabbitMq;AmazonSqs"];

    [Theory]
    [MemberData(nameof(NotOneTransport))]
    public void A_transport_kind_that_is_not_exactly_one_name_is_refused_with_the_names(string value)
    {
        var ex = Assert.Throws<SettingsException>(() => TransportOptions.Read(Config([("Transport:Kind", value), .. RabbitMq])));

        Assert.Contains($"Transport:Kind '{value}' is not a transport. Use one of: InMemory, RabbitMq, AmazonSqs", ex.Message);
        Assert.Contains("Transport__Kind", ex.Message);
    }

    [Theory]
    [InlineData("rabbitmq")]
    [InlineData(" RabbitMq ")]
    [InlineData("RABBITMQ\t")]
    public void A_transport_kind_is_one_name_in_any_case_with_surrounding_whitespace_ignored(string value) =>
        Assert.Equal(TransportKind.RabbitMq, TransportOptions.Read(Config([("Transport:Kind", value), .. RabbitMq])).Kind);

    [Theory]
    [InlineData("Sqlite,MySql")]
    [InlineData("MySql,Sqlite")]
    [InlineData("1")]
    [InlineData("0")]
    public void A_database_provider_that_is_not_exactly_one_name_is_refused(string value)
    {
        var ex = Assert.Throws<SettingsException>(() => DatabaseSettings.Read(Config(("Database:Provider", value), ("Database:ConnectionString", "Server=x"))));

        Assert.Contains($"Database:Provider '{value}' is not a database. Use one of: Sqlite, MySql", ex.Message);
    }

    [Fact]
    public void A_database_provider_is_read_in_any_case() =>
        Assert.Equal(DatabaseProvider.MySql, DatabaseSettings.Read(Config(("Database:Provider", " mysql"), ("Database:ConnectionString", "Server=x"))).Provider);

    [Theory]
    [InlineData("Scheduler:Store", "Memory,Database", "is not a scheduler store. Use one of: Memory, Database")]
    [InlineData("Scheduler:Store", "1", "is not a scheduler store")]
    [InlineData("Scheduler:Provider", "Sqlite,MySql", "is not a scheduler database. Use one of: Sqlite, MySql")]
    [InlineData("Scheduler:Provider", "1", "is not a scheduler database")]
    public void A_scheduler_setting_that_is_not_exactly_one_name_is_refused_before_the_binder_reads_it(string key, string value, string message)
    {
        var ex = Assert.Throws<SettingsException>(() => SchedulerSettings.Read(Config((key, value)), new DatabaseOptions()));

        Assert.Contains($"{key} '{value}' {message}", ex.Message);
    }

    [Fact]
    public void A_scheduler_store_is_read_in_any_case_and_follows_the_database_when_unset()
    {
        Assert.Equal(SchedulerStore.Database, SchedulerSettings.Read(Config(("Scheduler:Store", " database ")), new DatabaseOptions()).Store);
        Assert.Equal(SchedulerStore.Memory, SchedulerSettings.Read(Config(), new DatabaseOptions()).Store);
        Assert.Equal(SchedulerStore.Database,
            SchedulerSettings.Read(Config(), new DatabaseOptions { Provider = DatabaseProvider.MySql, ConnectionString = "Server=x" }).Store);
    }

    [Theory]
    [InlineData("Logging:LogLevel:Default", "Information,Warning", "is not a log level")]
    [InlineData("Logging:LogLevel:Default", "7", "is not a log level")]
    [InlineData("Logging:LogLevel:Microsoft.AspNetCore", "2", "is not a log level")]
    [InlineData("Logging:Console:LogLevel:Default", "Debug,Error", "is not a log level")]
    [InlineData("Logging:Console:LogToStandardErrorThreshold", "Warning,Error", "is not a log level")]
    [InlineData("Logging:Console:FormatterName", "json,simple", "is not a console formatter. Use one of: simple, json, systemd")]
    [InlineData("Logging:Console:FormatterName", "xml", "is not a console formatter")]
    [InlineData("Logging:Console:FormatterOptions:ColorBehavior", "Enabled,Disabled", "is not a color behavior")]
    [InlineData("Logging:Console:QueueFullMode", "1", "is not a queue mode")]
    public void A_logging_setting_that_is_not_exactly_one_name_is_refused(string key, string value, string message)
    {
        var ex = Assert.Throws<SettingsException>(() => EnumeratedSettings.CheckFrameworkSettings(Config((key, value))));

        Assert.Contains($"{key} '{value}' {message}", ex.Message);
    }

    [Fact]
    public void A_valid_logging_setting_is_written_back_in_the_spelling_the_framework_matches()
    {
        var config = Config(("Logging:Console:FormatterName", " JSON "), ("Logging:LogLevel:Default", "warning"), ("Logging:LogLevel:MassTransit", "Error"));

        EnumeratedSettings.CheckFrameworkSettings(config);

        Assert.Equal("json", config["Logging:Console:FormatterName"]);
        Assert.Equal("Warning", config["Logging:LogLevel:Default"]);
        Assert.Equal("Error", config["Logging:LogLevel:MassTransit"]);
    }
}
