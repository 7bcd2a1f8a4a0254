using System.Text.Json;
using MassTransit;
using Persisters.Host.Cli;
using Persisters.Host.Configuration;
using Persisters.Tests.Support;

namespace Persisters.Tests.Hosting;

public sealed class ServiceBusEntitiesVerbTests
{
    private static readonly IReadOnlyList<ServiceBusEntityDescription> Entities =
    [
        new("topic", "Persisters.Contracts_EvaluationEvent", new Dictionary<string, string>()),
        new("queue", "evaluation-events-dwh", new Dictionary<string, string>
        {
            ["DeadLetteringOnMessageExpiration"] = "true", ["LockDuration"] = "PT30S", ["MaxDeliveryCount"] = "5",
        }),
        new("subscription", "Persisters.Contracts_EvaluationEvent/Subscriptions/evaluation-events-dwh",
            new Dictionary<string, string> { ["ForwardTo"] = "evaluation-events-dwh" })
        {
            TopicPath = "Persisters.Contracts_EvaluationEvent",
            SubscriptionName = "evaluation-events-dwh",
        },
    ];

    [Fact]
    public void Azure_cli_commands_create_each_entity_with_its_settings()
    {
        var lines = ServiceBusEntitiesCommand.Render(Entities, ServiceBusEntitiesCommand.AzureCli, new AzureServiceBusTransportOptions())
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains("az servicebus topic create --resource-group \"$RESOURCE_GROUP\" --namespace-name \"$NAMESPACE\" --name 'Persisters.Contracts_EvaluationEvent'", lines);
        Assert.Contains(lines, l => l.StartsWith("az servicebus queue create", StringComparison.Ordinal) && l.Contains("--name 'evaluation-events-dwh'")
            && l.Contains("--lock-duration 'PT30S'") && l.Contains("--max-delivery-count '5'") && l.Contains("--enable-dead-lettering-on-message-expiration 'true'"));
        Assert.Contains(lines, l => l.StartsWith("az servicebus topic subscription create", StringComparison.Ordinal)
            && l.Contains("--topic-name 'Persisters.Contracts_EvaluationEvent' --name 'evaluation-events-dwh' --forward-to 'evaluation-events-dwh'"));
    }

    [Fact]
    public void The_emulator_config_nests_subscriptions_under_their_topic_with_typed_properties()
    {
        var json = ServiceBusEntitiesCommand.Render(Entities, ServiceBusEntitiesCommand.EmulatorConfig, new AzureServiceBusTransportOptions());
        using var document = JsonDocument.Parse(json);
        var ns = document.RootElement.GetProperty("UserConfig").GetProperty("Namespaces")[0];

        var queue = Assert.Single(ns.GetProperty("Queues").EnumerateArray());
        Assert.Equal("evaluation-events-dwh", queue.GetProperty("Name").GetString());
        Assert.Equal(5, queue.GetProperty("Properties").GetProperty("MaxDeliveryCount").GetInt32());
        Assert.True(queue.GetProperty("Properties").GetProperty("DeadLetteringOnMessageExpiration").GetBoolean());
        var topic = Assert.Single(ns.GetProperty("Topics").EnumerateArray());
        var subscription = Assert.Single(topic.GetProperty("Subscriptions").EnumerateArray());
        Assert.Equal("evaluation-events-dwh", subscription.GetProperty("Name").GetString());
        Assert.Equal("evaluation-events-dwh", subscription.GetProperty("Properties").GetProperty("ForwardTo").GetString());
    }

    /// <summary>
    /// The verb in a real process, with the documented defaults (no scope, '/' between namespace and type) and host settings on
    /// its command line: the persister queues carry the retention bound (Persisters:QueueRetention, by default LateEventTail) as
    /// DefaultMessageTimeToLive with expired messages dropped; their _error queues do not.
    /// </summary>
    [Fact]
    public async Task The_verb_lists_the_persister_queues_with_the_retention_bound_and_unscoped_names_by_default()
    {
        var environment = new Dictionary<string, string?>
        {
            ["Transport__Kind"] = "AzureServiceBus",
            ["Transport__AzureServiceBus__ConnectionString"] = "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v",
        };

        var (exit, output) = await HostCommand.RunAsync(environment, "servicebus-entities", "--Persisters:LateEventTail=1.00:00:00");

        Assert.True(exit == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("queue evaluation-events-dwh (DeadLetteringOnMessageExpiration=false, DefaultMessageTimeToLive=P1D, LockDuration=PT30S, MaxDeliveryCount=5)", lines);
        Assert.Contains(lines, l => l.StartsWith("queue goal-events-ops (DeadLetteringOnMessageExpiration=false, DefaultMessageTimeToLive=P1D,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("queue evaluation-events-dwh_error (", StringComparison.Ordinal) && !l.Contains("DefaultMessageTimeToLive"));
        Assert.Contains(lines, l => l.StartsWith("queue experiment-lifecycle (", StringComparison.Ordinal) && !l.Contains("DefaultMessageTimeToLive"));
        Assert.Contains("topic Persisters.Contracts/EvaluationEvent", lines);
    }

    [Fact]
    public async Task The_verb_on_another_transport_exits_2_naming_the_setting()
    {
        var (exit, output) = await HostCommand.RunAsync(new Dictionary<string, string?> { ["Transport__Kind"] = "InMemory" }, "servicebus-entities");

        Assert.True(exit == 2, output);
        Assert.Contains("Transport__Kind=AzureServiceBus", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public void The_text_lists_one_entity_per_line_after_what_it_leaves_out()
    {
        var text = ServiceBusEntitiesCommand.Render(Entities, ServiceBusEntitiesCommand.Text, new AzureServiceBusTransportOptions { Scope = "prod" });
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("scope 'prod'", lines[0]);
        Assert.Contains("PersisterDemandChanged", text);
        Assert.Equal("queue evaluation-events-dwh (DeadLetteringOnMessageExpiration=true, LockDuration=PT30S, MaxDeliveryCount=5)", lines[^2]);
    }
}
