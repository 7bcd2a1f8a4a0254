using Microsoft.Extensions.Configuration;
using Persisters.Host.Configuration;

namespace Persisters.Tests.Hosting;

public sealed class AzureServiceBusSettingsTests
{
    private const string ConnectionString = "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=persisters;SharedAccessKey=c2VjcmV0";

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static (string, string) Kind => ("Transport:Kind", "AzureServiceBus");

    [Fact]
    public void A_connection_string_alone_is_enough_and_entities_are_created()
    {
        var transport = TransportOptions.Read(Config(Kind, ("Transport:AzureServiceBus:ConnectionString", ConnectionString)));

        Assert.Equal(TransportKind.AzureServiceBus, transport.Kind);
        var o = transport.AzureServiceBus;
        Assert.Equal(ConnectionString, o.ConnectionString);
        Assert.Null(o.Namespace);
        Assert.Equal("", o.Scope);
        Assert.True(o.CreateEntities);
        Assert.Equal(TimeSpan.FromSeconds(30), o.LockDuration);
        Assert.Equal("/", o.NamespaceSeparator);
        Assert.Equal(new Uri("sb://contoso.servicebus.windows.net/"), o.HostAddress);
    }

    [Fact]
    public void A_namespace_uses_the_default_azure_credential_with_a_scope_and_provisioned_entities()
    {
        var transport = TransportOptions.Read(Config(("Transport:Kind", "azureservicebus"), ("Transport:AzureServiceBus:Namespace", "sb://contoso.servicebus.windows.net/"),
            ("Transport:AzureServiceBus:Scope", "/prod/eu/"), ("Transport:AzureServiceBus:CreateEntities", "false"),
            ("Transport:AzureServiceBus:LockDuration", "00:01:00"), ("Transport:AzureServiceBus:NamespaceSeparator", "_")));

        var o = transport.AzureServiceBus;
        Assert.Null(o.ConnectionString);
        Assert.Equal("contoso.servicebus.windows.net", o.Namespace);
        Assert.Equal("prod/eu", o.Scope);
        Assert.False(o.CreateEntities);
        Assert.Equal(TimeSpan.FromMinutes(1), o.LockDuration);
        Assert.Equal("_", o.NamespaceSeparator);
        Assert.Equal(new Uri("sb://contoso.servicebus.windows.net/prod/eu"), o.HostAddress);
    }

    [Fact]
    public void An_emulator_connection_string_keeps_its_port_in_the_host_address()
    {
        var transport = TransportOptions.Read(Config(Kind,
            ("Transport:AzureServiceBus:ConnectionString", "Endpoint=sb://127.0.0.1:5673;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true"),
            ("Transport:AzureServiceBus:Scope", "it1")));

        Assert.Equal(new Uri("sb://127.0.0.1:5673/it1"), transport.AzureServiceBus.HostAddress);
    }

    [Theory]
    [InlineData(null, null, "Transport:AzureServiceBus:ConnectionString or Transport:AzureServiceBus:Namespace is required", "Transport__AzureServiceBus__ConnectionStringFile")]
    [InlineData("ConnectionString", "not a connection string", "Transport:AzureServiceBus:ConnectionString is not a Service Bus connection string", "Transport__AzureServiceBus__ConnectionString")]
    [InlineData("ConnectionString", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k", "has no SharedAccessKeyName and SharedAccessKey", "Transport__AzureServiceBus__ConnectionString")]
    [InlineData("ConnectionString", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v;EntityPath=q", "names an entity", "Transport__AzureServiceBus__ConnectionString")]
    [InlineData("Namespace", "contoso", "Transport:AzureServiceBus:Namespace 'contoso' is not a fully qualified namespace", "Transport__AzureServiceBus__Namespace")]
    [InlineData("Namespace", "https://contoso.servicebus.windows.net", "Transport:AzureServiceBus:Namespace", "Transport__AzureServiceBus__Namespace")]
    [InlineData("Scope", "prod env", "Transport:AzureServiceBus:Scope 'prod env' may contain only", "Transport__AzureServiceBus__Scope")]
    [InlineData("Scope", "a//b", "Transport:AzureServiceBus:Scope 'a//b'", "Transport__AzureServiceBus__Scope")]
    [InlineData("LockDuration", "00:10:00", "Transport:AzureServiceBus:LockDuration '00:10:00' is not a duration from 00:00:05 to 00:05:00", "Transport__AzureServiceBus__LockDuration")]
    [InlineData("LockDuration", "soon", "Transport:AzureServiceBus:LockDuration 'soon'", "Transport__AzureServiceBus__LockDuration")]
    [InlineData("Scope", "prod~eu", "Transport:AzureServiceBus:Scope 'prod~eu' may contain only", "Transport__AzureServiceBus__Scope")]
    [InlineData("NamespaceSeparator", ":", "Transport:AzureServiceBus:NamespaceSeparator ':' is not a namespace separator. Use one of: /, _, .", "Transport__AzureServiceBus__NamespaceSeparator")]
    [InlineData("NamespaceSeparator", "_,.", "Transport:AzureServiceBus:NamespaceSeparator '_,.' is not a namespace separator", "Transport__AzureServiceBus__NamespaceSeparator")]
    [InlineData("NamespaceSeparator", "~", "Service Bus refuses '~' in entity names", "Transport__AzureServiceBus__NamespaceSeparator=_")]
    [InlineData("CreateEntities", "sometimes", "Transport:AzureServiceBus:CreateEntities 'sometimes' is not true or false", "Transport__AzureServiceBus__CreateEntities")]
    [InlineData("CreateEntities", "true,false", "Transport:AzureServiceBus:CreateEntities 'true,false' is not true or false", "Transport__AzureServiceBus__CreateEntities")]
    [InlineData("CreateEntities", "1", "Transport:AzureServiceBus:CreateEntities '1' is not true or false", "Transport__AzureServiceBus__CreateEntities")]
    public void A_bad_or_missing_setting_is_named_with_its_environment_form(string? key, string? value, string message, string environment)
    {
        var values = new List<(string, string)> { Kind };
        if (key is "Scope" or "CreateEntities" or "LockDuration" or "NamespaceSeparator") values.Add(("Transport:AzureServiceBus:ConnectionString", ConnectionString));
        if (key is not null) values.Add(("Transport:AzureServiceBus:" + key, value!));

        var ex = Assert.Throws<SettingsException>(() => TransportOptions.Read(Config(values.ToArray())));
        Assert.Contains(message, ex.Message);
        Assert.Contains(environment, ex.Message);
    }

    [Fact]
    public void Both_a_connection_string_and_a_namespace_are_refused()
    {
        var ex = Assert.Throws<SettingsException>(() => TransportOptions.Read(Config(Kind, ("Transport:AzureServiceBus:ConnectionString", ConnectionString),
            ("Transport:AzureServiceBus:Namespace", "contoso.servicebus.windows.net"))));
        Assert.Contains("are both set", ex.Message);
        Assert.Contains("Transport__AzureServiceBus__Namespace", ex.Message);
    }

    [Fact]
    public void A_refused_connection_string_is_never_echoed()
    {
        const string secret = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=TOPSECRET;EntityPath=q";
        var ex = Assert.Throws<SettingsException>(() => TransportOptions.Read(Config(Kind, ("Transport:AzureServiceBus:ConnectionString", secret))));
        Assert.DoesNotContain("TOPSECRET", ex.Message);
    }

    [Fact]
    public void The_connection_string_can_come_from_a_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, ConnectionString + "\n");
            var configuration = new ConfigurationManager();
            configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Transport:Kind"] = "AzureServiceBus",
                ["Transport:AzureServiceBus:ConnectionStringFile"] = path,
            });
            SecretFiles.Apply(configuration);

            Assert.Equal(ConnectionString, TransportOptions.Read(configuration).AzureServiceBus.ConnectionString);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
