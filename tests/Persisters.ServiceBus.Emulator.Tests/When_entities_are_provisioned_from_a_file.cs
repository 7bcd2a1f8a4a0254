using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;

namespace Persisters.ServiceBus.Emulator.Tests;

public sealed class When_entities_are_provisioned_from_a_file : IAsyncLifetime
{
    // Microsoft's Service Bus emulator Config.json layout, so one file provisions either emulator.
    private const string Config = """
        {
          "UserConfig": {
            "Namespaces": [{
              "Name": "sbemulatorns",
              "Queues": [
                { "Name": "orders", "Properties": { "LockDuration": "PT30S", "MaxDeliveryCount": 5, "DefaultMessageTimeToLive": "PT1H" } },
                { "Name": "orders_error" }
              ],
              "Topics": [{
                "Name": "order-placed",
                "Properties": {},
                "Subscriptions": [
                  { "Name": "orders", "Properties": { "ForwardTo": "orders" } },
                  { "Name": "eu-only", "Rules": [{ "Name": "eu", "Properties": { "FilterType": "Correlation", "CorrelationFilter": { "Label": "eu" } } }] },
                  { "Name": "big", "Rules": [{ "Name": "big", "Properties": { "FilterType": "Sql", "SqlFilter": { "SqlExpression": "amount >= 1000" } } }] }
                ]
              }]
            }],
            "Logging": { "Type": "File" }
          }
        }
        """;

    private string path = "";
    private EmulatorHost host = null!;

    public async Task InitializeAsync()
    {
        path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, Config);
        host = await EmulatorHost.StartAsync(new EmulatorOptions { AmqpPort = 0, ManagementPort = 0, ConfigPath = path });
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        File.Delete(path);
    }

    [Fact]
    public async Task The_entities_exist_with_their_settings_and_route_messages()
    {
        var admin = new ServiceBusAdministrationClient(host.ConnectionString);
        QueueProperties orders = await admin.GetQueueAsync("orders");
        Assert.Equal(TimeSpan.FromSeconds(30), orders.LockDuration);
        Assert.Equal(5, orders.MaxDeliveryCount);
        Assert.True(await admin.QueueExistsAsync("orders_error"));
        Assert.Equal("orders", (await admin.GetSubscriptionAsync("order-placed", "orders")).Value.ForwardTo);

        await using var client = new ServiceBusClient(host.ConnectionString);
        await using ServiceBusSender sender = client.CreateSender("order-placed");
        await sender.SendMessageAsync(new ServiceBusMessage("1") { Subject = "eu", ApplicationProperties = { ["amount"] = 5 } });
        await sender.SendMessageAsync(new ServiceBusMessage("2") { Subject = "us", ApplicationProperties = { ["amount"] = 5000 } });

        Assert.Equal(2, (await admin.GetQueueRuntimePropertiesAsync("orders")).Value.ActiveMessageCount);
        Assert.Equal(1, (await admin.GetSubscriptionRuntimePropertiesAsync("order-placed", "eu-only")).Value.ActiveMessageCount);
        await using ServiceBusReceiver big = client.CreateReceiver("order-placed", "big");
        Assert.Equal("2", (await big.ReceiveMessageAsync(TimeSpan.FromSeconds(10)))!.Body.ToString());
    }

    [Fact]
    public async Task A_file_naming_a_missing_forward_target_stops_the_start_with_the_entity_named()
    {
        string bad = Path.GetTempFileName();
        await File.WriteAllTextAsync(bad, """{ "UserConfig": { "Namespaces": [{ "Queues": [{ "Name": "a", "Properties": { "ForwardTo": "nowhere" } }] }] } }""");
        try
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => EmulatorHost.StartAsync(new EmulatorOptions { AmqpPort = 0, ManagementPort = 0, ConfigPath = bad }));
            Assert.Contains("'nowhere'", error.Message);
            Assert.Contains("queue 'a'", error.Message);
        }
        finally
        {
            File.Delete(bad);
        }
    }

    [Fact]
    public async Task A_file_with_a_name_outside_the_naming_rules_stops_the_start_with_the_name_given()
    {
        string bad = Path.GetTempFileName();
        await File.WriteAllTextAsync(bad, """
            { "UserConfig": { "Namespaces": [{ "Topics": [{ "Name": "MassTransit/Fault--Ns/Poison--",
              "Subscriptions": [{ "Name": "ok-", "Rules": [{ "Name": "by~type", "Properties": { "FilterType": "Sql", "SqlFilter": { "SqlExpression": "1=1" } } }] }] }] }] } }
            """);
        try
        {
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => EmulatorHost.StartAsync(new EmulatorOptions { AmqpPort = 0, ManagementPort = 0, ConfigPath = bad }));
            Assert.Contains("'by~type'", error.Message);
        }
        finally
        {
            File.Delete(bad);
        }
    }
}
