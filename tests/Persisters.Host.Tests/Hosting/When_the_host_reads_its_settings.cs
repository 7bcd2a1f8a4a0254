using Microsoft.Extensions.Configuration;
using Persisters.Host.Configuration;
using Persisters.Persistence;
using Persisters.Tests.Support;

namespace Persisters.Tests.Hosting;

public sealed class When_the_host_reads_its_settings
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void No_settings_mean_the_embedded_default()
    {
        var transport = TransportOptions.Read(Config());
        var database = DatabaseSettings.Read(Config());

        Assert.Equal(TransportKind.InMemory, transport.Kind);
        Assert.Equal(DatabaseProvider.Sqlite, database.Provider);
        Assert.Equal(DatabaseOptions.DefaultSqliteConnectionString, database.EffectiveConnectionString);
        Assert.True(database.EffectiveMigrateOnStart);
    }

    [Theory]
    [InlineData("Transport:Kind", "Kafka", "Transport:Kind 'Kafka' is not a transport")]
    [InlineData("Transport:Kind", "7", "Transport:Kind '7' is not a transport")]
    [InlineData("Transport:Kind", "AzureServiceBus", "Transport:AzureServiceBus:ConnectionString or Transport:AzureServiceBus:Namespace is required")]
    [InlineData("Transport:Kind", "RabbitMq", "Transport:RabbitMq:Host is required")]
    public void A_bad_transport_setting_is_named(string key, string value, string message)
    {
        var ex = Assert.Throws<SettingsException>(() => TransportOptions.Read(Config((key, value))));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Every_missing_RabbitMq_setting_is_named_with_its_environment_form()
    {
        var ex = Assert.Throws<SettingsException>(() => TransportOptions.Read(Config(
            ("Transport:Kind", "rabbitmq"), ("Transport:RabbitMq:Host", "h"), ("Transport:RabbitMq:Username", "u"))));
        Assert.Contains("Transport:RabbitMq:Password is required", ex.Message);
        Assert.Contains("Transport__RabbitMq__PasswordFile", ex.Message);

        var port = Assert.Throws<SettingsException>(() => TransportOptions.Read(Config(("Transport:Kind", "RabbitMq"),
            ("Transport:RabbitMq:Host", "h"), ("Transport:RabbitMq:Username", "u"), ("Transport:RabbitMq:Password", "p"), ("Transport:RabbitMq:Port", "99999"))));
        Assert.Contains("Transport:RabbitMq:Port '99999'", port.Message);
    }

    [Theory]
    [InlineData("Database:Provider", "Oracle", "Database:Provider 'Oracle' is not a database")]
    [InlineData("Database:Provider", "MySql", "Database:ConnectionString is required when Database:Provider is MySql")]
    [InlineData("Database:ServerVersion", "banana", "Database:ServerVersion 'banana'")]
    [InlineData("Database:MigrateOnStart", "sometimes", "Database:MigrateOnStart 'sometimes' is not true or false")]
    [InlineData("Database:CommandTimeoutSeconds", "0", "Database:CommandTimeoutSeconds '0'")]
    public void A_bad_database_setting_is_named(string key, string value, string message)
    {
        var ex = Assert.Throws<SettingsException>(() => DatabaseSettings.Read(Config((key, value))));
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void A_setting_can_come_from_a_file()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "s3cret\n");
        var manager = new ConfigurationManager();
        manager.AddInMemoryCollection([new("Transport:RabbitMq:PasswordFile", file)]);

        SecretFiles.Apply(manager);

        Assert.Equal("s3cret", manager["Transport:RabbitMq:Password"]);
        File.Delete(file);
    }

    [Fact]
    public void A_secret_file_that_does_not_exist_is_named()
    {
        var manager = new ConfigurationManager();
        manager.AddInMemoryCollection([new("Database:ConnectionStringFile", "/nonexistent/secret")]);

        var ex = Assert.Throws<SettingsException>(() => SecretFiles.Apply(manager));
        Assert.Contains("Database:ConnectionStringFile", ex.Message);
    }

    [Theory]
    [InlineData("Transport__Kind", "Kafka", "Transport:Kind 'Kafka'")]
    [InlineData("Transport__Kind", "RabbitMq,AmazonSqs", "Transport:Kind 'RabbitMq,AmazonSqs' is not a transport")]
    [InlineData("Transport__Kind", "InMemory,AmazonSqs", "Transport:Kind 'InMemory,AmazonSqs' is not a transport")]
    [InlineData("Transport__Kind", "1", "Transport:Kind '1' is not a transport")]
    [InlineData("Scheduler__Store", "Memory,Database", "Scheduler:Store 'Memory,Database' is not a scheduler store")]
    [InlineData("Logging__Console__FormatterName", "json,simple", "Logging:Console:FormatterName 'json,simple' is not a console formatter")]
    [InlineData("Logging__LogLevel__Default", "Information,Warning", "Logging:LogLevel:Default 'Information,Warning' is not a log level")]
    [InlineData("Persisters__Batch__MessageLimit", "0", "MessageLimit")]
    [InlineData("Persisters__Batch__MessageLimit", "abc", "'abc' at 'Persisters:Batch:MessageLimit'")]
    [InlineData("ExperimentLifecycle__TimerSweepInterval", "soon", "'soon' at 'ExperimentLifecycle:TimerSweepInterval'")]
    [InlineData("ExperimentLifecycle__TimerSweepInterval", "100.00:00:00", "ExperimentLifecycle:TimerSweepInterval must be from 0 (off) to 1.00:00:00")]
    [InlineData("Persisters__ReconcileInterval", "100.00:00:00", "Persisters:ReconcileInterval must be from 00:00:01 to 1.00:00:00")]
    [InlineData("Persisters__LateEventTail", "1000.00:00:00", "Persisters:LateEventTail must be from 0 to 365.00:00:00")]
    [InlineData("AutoOps__Webhooks__prod__Url", "not a url", "AutoOps:Webhooks:prod:Url must be an absolute http or https URL.")]
    [InlineData("AutoOps__Webhooks__prod__Url", "https://hooks.example.com/persisters", "AutoOps:Webhooks:prod:Secret is required, at least 16 characters")]
    [InlineData("AutoOps__WebhookMaxAttempts", "0", "AutoOps:WebhookMaxAttempts must be from 1 to 100.")]
    public async Task The_service_refuses_to_start_with_a_bad_setting_and_exit_code_2(string key, string value, string expected)
    {
        var (exit, output) = await HostCommand.RunAsync(new Dictionary<string, string?> { [key] = value }, "run");

        Assert.True(exit == 2, $"exit code {exit}:\n{output}");
        Assert.Contains(expected, output);
    }
}
