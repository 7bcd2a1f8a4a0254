using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Persisters.Host.Configuration;
using Persisters.Persistence;

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
    [InlineData("Persisters__Batch__MessageLimit", "0", "MessageLimit")]
    public async Task The_service_refuses_to_start_with_a_bad_setting_and_exit_code_2(string key, string value, string expected)
    {
        var hostDll = Path.Combine(AppContext.BaseDirectory, "persisters.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(hostDll);
        info.ArgumentList.Add("run");
        info.Environment[key] = value;
        info.Environment["Urls"] = "http://127.0.0.1:0";
        info.Environment["Database__ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))}.db";
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains(expected, await stderr + await stdout);
    }
}
