using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using MassTransit;

namespace Persisters.Transports.AzureServiceBus.Tests.Support;

/// <summary>
/// The Service Bus test emulator (tests/Persisters.ServiceBus.Emulator): <c>scripts/services.sh up servicebus &amp;&amp;
/// eval "$(scripts/services.sh env)"</c> exports its connection string (PERSISTERS_TEST_SERVICEBUS) and management address (PERSISTERS_TEST_SERVICEBUS_MGMT). A missing variable fails the
/// test with that command; it never skips. Every test works under its own scope (queues under <c>SCOPE/</c>, topics
/// prefixed with <c>SCOPE/</c>), so tests never see each other's entities.
/// </summary>
public static class ServiceBusTestServer
{
    public const string ConnectionStringVariable = "PERSISTERS_TEST_SERVICEBUS";
    public const string ManagementVariable = "PERSISTERS_TEST_SERVICEBUS_MGMT";

    public static string ConnectionString => Required(ConnectionStringVariable);

    /// <summary>The emulator's counters per entity (receiver links, credit flows, messages by state): GET {management}/_emulator/stats.</summary>
    public static Uri StatsUrl => new(Required(ManagementVariable).TrimEnd('/') + "/_emulator/stats");

    private static string Required(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set. Start the Service Bus test emulator and export its settings: " +
                "scripts/services.sh up servicebus && eval \"$(scripts/services.sh env)\" (scripts/test.sh does both).");

    /// <summary>A scope no other test uses.</summary>
    public static string UniqueScope() => "t" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>The namespace address of the emulator under <paramref name="scope"/>: sb://127.0.0.1:PORT/SCOPE.</summary>
    public static Uri HostAddress(string scope)
    {
        var endpoint = ServiceBusConnectionStringProperties.Parse(ConnectionString).Endpoint;
        return new Uri($"sb://{endpoint.Host}:{endpoint.Port}/{scope}");
    }

    public static void ConfigureHost(IServiceBusBusFactoryConfigurator cfg, string scope, bool createEntities = true)
    {
        cfg.Host(HostAddress(scope), h =>
        {
            h.ConnectionString = ConnectionString;
            h.CreateEntities = createEntities;
        });
        cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, scope + "/"));
    }

    public static ServiceBusAdministrationClient CreateAdministrationClient() => new(ConnectionString);

    public static ServiceBusClient CreateClient() => new(ConnectionString);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The emulator's counters for one entity (queue, topic, TOPIC/Subscriptions/NAME); empty when it does not exist.</summary>
    public static async Task<EntityStats> Stats(string entityPath)
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync(StatsUrl));
        if (!document.RootElement.GetProperty("entities").TryGetProperty(entityPath, out var entity))
            return new EntityStats(new Dictionary<string, long>());
        return new EntityStats(entity.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number)
            .ToDictionary(p => p.Name, p => p.Value.GetInt64()));
    }

    /// <summary>
    /// The entity's counters once <paramref name="settled"/> holds, read every 50 ms for up to <paramref name="timeout"/> (30 s by
    /// default); the last counters otherwise, for the caller's assertion to show. A settlement (complete, abandon, dead-letter)
    /// reaches the emulator after the receive that observed its message, so one sample taken at that moment races it.
    /// </summary>
    public static async Task<EntityStats> StatsWhen(string entityPath, Func<EntityStats, bool> settled, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var stats = await Stats(entityPath);
            if (settled(stats) || DateTime.UtcNow >= deadline) return stats;
            await Task.Delay(50);
        }
    }

    /// <summary>Receives one message from an entity with the SDK itself (not the transport) and completes it.</summary>
    public static async Task<ServiceBusReceivedMessage> ReceiveOne(string queuePath, TimeSpan? timeout = null)
    {
        await using var client = CreateClient();
        await using var receiver = client.CreateReceiver(queuePath);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(2)) is { } message)
            {
                await receiver.CompleteMessageAsync(message);
                return message;
            }
        }
        Assert.Fail($"No message arrived in {queuePath} within {timeout ?? TimeSpan.FromSeconds(30)}.");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Deletes every queue and topic under the scope (best effort).</summary>
    public static async Task DeleteScope(string scope)
    {
        var admin = CreateAdministrationClient();
        try
        {
            await foreach (var topic in admin.GetTopicsAsync())
                if (topic.Name.StartsWith(scope + "/", StringComparison.OrdinalIgnoreCase))
                    await admin.DeleteTopicAsync(topic.Name);
            await foreach (var queue in admin.GetQueuesAsync())
                if (queue.Name.StartsWith(scope + "/", StringComparison.OrdinalIgnoreCase))
                    await admin.DeleteQueueAsync(queue.Name);
        }
        catch (Exception)
        {
            // best effort: leftovers under a unique scope are harmless to other tests
        }
    }
}

/// <summary>One entity's counters from the emulator's stats: receiverLinks, creditFlows, activeMessages, lockRenewals, …</summary>
public sealed record EntityStats(IReadOnlyDictionary<string, long> Values)
{
    public long this[string name] => Values.GetValueOrDefault(name);
    public bool Exists => Values.Count > 0;
    public override string ToString() => string.Join(", ", Values.Where(v => v.Value != 0).Select(v => $"{v.Key}={v.Value}"));
}
