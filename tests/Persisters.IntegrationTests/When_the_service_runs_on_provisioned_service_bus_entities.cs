using System.Text.Json;
using System.Xml;
using Azure.Messaging.ServiceBus.Administration;
using Persisters.Host.Cli;
using Persisters.IntegrationTests.Support;

namespace Persisters.IntegrationTests;

/// <summary>
/// Transport__AzureServiceBus__CreateEntities=false (credentials without the Manage right): the deployment provisions what
/// <c>persisters servicebus-entities</c> lists, and the service runs on exactly that.
/// </summary>
public sealed class When_the_service_runs_on_provisioned_service_bus_entities
{
    [Fact]
    public async Task The_listed_entities_are_enough_and_a_missing_one_stops_the_host_naming_it()
    {
        await using var sut = await ServiceUnderTest.CreateAsync(Broker.AzureServiceBus);
        sut.Environment["Transport__AzureServiceBus__CreateEntities"] = "false";
        // No per-host demand queue can be provisioned: demand changes arrive through the periodic reconcile.
        sut.Environment["Persisters__ReconcileInterval"] = "00:00:02";

        // Nothing provisioned yet: the host stops at start, naming what is missing.
        var (exit, refused) = await HostProcess.RunToEndAsync(sut.Environment, TimeSpan.FromMinutes(1), "run");
        Assert.NotEqual(0, exit);
        Assert.Contains("do not exist and the transport may not create them", refused);
        Assert.Contains($"queue {sut.QueuePrefix}/experiment-lifecycle (", refused);

        var (listed, config) = await HostProcess.RunToEndAsync(sut.Environment, TimeSpan.FromMinutes(1), "servicebus-entities", "--format",
            ServiceBusEntitiesCommand.EmulatorConfig);
        Assert.True(listed == 0, config);
        await ProvisionAsync(config);

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var experiment = Persisters.Host.Cli.SyntheticTraffic.Experiment("it", "provisioned", now);
        await sut.SeedAsync(experiment);
        var traffic = Persisters.Host.Cli.SyntheticTraffic.Create(experiment, 1000, 0.05, 0.0, seed: 3, now);
        await using var host = await sut.StartHostAsync();
        await sut.PublishAsync(traffic.Evaluations);
        var rows = await sut.WaitForCountAsync($"SELECT COUNT(*) FROM evaluation_event WHERE feature_id = '{experiment.FeatureId}'",
            traffic.ExpectedEvaluationRows, TimeSpan.FromMinutes(2));
        Assert.Equal(traffic.ExpectedEvaluationRows, rows);

        // The host created nothing beyond the list (no temporary queues either); the test's own publishing bus may create.
        var admin = new ServiceBusAdministrationClient(TestServers.ServiceBusConnectionString);
        var testBusQueue = sut.Bus.Address.AbsolutePath.Trim('/');
        var queues = new List<string>();
        await foreach (var queue in admin.GetQueuesAsync())
            if (queue.Name.StartsWith(sut.QueuePrefix + "/", StringComparison.Ordinal) && queue.Name != testBusQueue) queues.Add(queue.Name);
        using var document = JsonDocument.Parse(config);
        var provisioned = document.RootElement.GetProperty("UserConfig").GetProperty("Namespaces")[0].GetProperty("Queues").EnumerateArray()
            .Select(q => q.GetProperty("Name").GetString()!).ToList();
        Assert.Equal(provisioned.Order(StringComparer.Ordinal), queues.Order(StringComparer.Ordinal));

        // The listing carries the persister queues' retention bound (by default LateEventTail, 2 days), expired messages dropped.
        var dwh = (await admin.GetQueueAsync($"{sut.QueuePrefix}/evaluation-events-dwh")).Value;
        Assert.Equal(TimeSpan.FromDays(2), dwh.DefaultMessageTimeToLive);
        Assert.False(dwh.DeadLetteringOnMessageExpiration);
    }

    /// <summary>Creates the entities of an emulator Config.json through the administration API, as a deployment would.</summary>
    private static async Task ProvisionAsync(string config)
    {
        var admin = new ServiceBusAdministrationClient(TestServers.ServiceBusConnectionString);
        using var document = JsonDocument.Parse(config);
        var ns = document.RootElement.GetProperty("UserConfig").GetProperty("Namespaces")[0];
        foreach (var queue in ns.GetProperty("Queues").EnumerateArray())
        {
            var properties = queue.GetProperty("Properties");
            var options = new CreateQueueOptions(queue.GetProperty("Name").GetString())
            {
                LockDuration = XmlConvert.ToTimeSpan(properties.GetProperty("LockDuration").GetString()!),
                MaxDeliveryCount = properties.GetProperty("MaxDeliveryCount").GetInt32(),
                DeadLetteringOnMessageExpiration = properties.GetProperty("DeadLetteringOnMessageExpiration").GetBoolean(),
            };
            if (properties.TryGetProperty("DefaultMessageTimeToLive", out var ttl)) options.DefaultMessageTimeToLive = XmlConvert.ToTimeSpan(ttl.GetString()!);
            await admin.CreateQueueAsync(options);
        }
        foreach (var topic in ns.GetProperty("Topics").EnumerateArray())
        {
            var name = topic.GetProperty("Name").GetString()!;
            await admin.CreateTopicAsync(name);
            foreach (var subscription in topic.GetProperty("Subscriptions").EnumerateArray())
            {
                await admin.CreateSubscriptionAsync(new CreateSubscriptionOptions(name, subscription.GetProperty("Name").GetString())
                {
                    ForwardTo = subscription.GetProperty("Properties").GetProperty("ForwardTo").GetString(),
                });
            }
        }
    }
}
