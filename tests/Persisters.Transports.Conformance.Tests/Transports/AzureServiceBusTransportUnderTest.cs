using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Azure.Messaging.ServiceBus.Administration;
using MassTransit;

namespace Persisters.Transports.Conformance.Tests.Transports;

/// <summary>
/// The project's Azure Service Bus transport (src/Transports/AzureServiceBus) against the Service Bus test emulator
/// (tests/Persisters.ServiceBus.Emulator). One scope per test is its namespace: every queue lives under <c>SCOPE/</c>
/// (the host address's path) and every topic is prefixed with <c>SCOPE/</c> (the entity name formatter). Delays are
/// Service Bus's own scheduled messages (<c>UseServiceBusMessageScheduler</c>). The broker's view comes from the
/// emulator's stats: open receiver links per queue (its consumers), active messages (ready) and credit flows, the AMQP
/// frames by which a receiver asks for messages (its receive calls).
/// </summary>
public sealed class AzureServiceBusTransportUnderTest : IDurableTransportUnderTest
{
    /// <summary>The Standard tier's largest message, which the emulator announces on every link.</summary>
    public const long MaxMessageSize = 256 * 1024;

    private HttpClient? _stats;

    public string Name => "AzureServiceBus";
    public string Scope { get; } = "cf" + Guid.NewGuid().ToString("N")[..10];

    public async Task InitializeAsync()
    {
        _stats = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        // Fails early, with the server's address, when it is down.
        (await _stats.GetAsync(TestServers.ServiceBusStatsUrl)).EnsureSuccessStatusCode();
    }

    private Uri HostAddress
    {
        get
        {
            var endpoint = ServiceBusConnectionStringProperties.Parse(TestServers.ServiceBusConnectionString).Endpoint;
            return new Uri($"sb://{endpoint.Host}:{endpoint.Port}/{Scope}");
        }
    }

    public void UseTransport(IBusRegistrationConfigurator x, Action<IBusRegistrationContext, IBusFactoryConfigurator> configure) =>
        x.UsingAzureServiceBus((context, cfg) =>
        {
            cfg.Host(HostAddress, h => h.ConnectionString = TestServers.ServiceBusConnectionString);
            cfg.MessageTopology.SetEntityNameFormatter(new PrefixEntityNameFormatter(cfg.MessageTopology.EntityNameFormatter, Scope + "/"));
            configure(context, cfg);
        });

    public void AddScheduler(IBusRegistrationConfigurator x) => x.AddServiceBusMessageScheduler();

    public void UseScheduler(IBusRegistrationContext context, IBusFactoryConfigurator cfg) => cfg.UseServiceBusMessageScheduler();

    public MessageSizeLimit? SizeLimit => new(MaxMessageSize, SizeRefusal.SendFaults, @"more than the limit of 262144 bytes of Service Bus entity 'cf[0-9a-f]+/cf-size-");

    public async Task<QueueObservation> ObserveQueueAsync(string queue)
    {
        var stats = _stats ?? throw new InvalidOperationException("InitializeAsync first");
        using var document = JsonDocument.Parse(await stats.GetStringAsync(TestServers.ServiceBusStatsUrl));
        if (!document.RootElement.GetProperty("entities").TryGetProperty($"{Scope}/{queue}", out var entity))
            return new QueueObservation(0, 0, 0);
        // ActiveMessageCount includes messages locked by a receiver (as on Service Bus); ready = active - locked.
        var ready = entity.GetProperty("activeMessages").GetInt64() - entity.GetProperty("lockedMessages").GetInt64();
        return new QueueObservation(entity.GetProperty("receiverLinks").GetInt64(), ready, entity.GetProperty("creditFlows").GetInt64());
    }

    public IReadOnlyDictionary<string, string> WorkerEnvironment => new Dictionary<string, string>
    {
        ["CONFORMANCE_TRANSPORT"] = "AzureServiceBus",
        ["CONFORMANCE_SERVICEBUS_CONNECTION_STRING"] = TestServers.ServiceBusConnectionString,
        ["CONFORMANCE_SERVICEBUS_SCOPE"] = Scope,
        ["CONFORMANCE_SERVICEBUS_LOCK_DURATION"] = "5",
    };

    /// <summary>The killed worker's message comes back when its 5 s lock expires (the worker created its queue with that lock duration).</summary>
    public TimeSpan RedeliveryTimeout => TimeSpan.FromSeconds(30);

    public async ValueTask DisposeAsync()
    {
        _stats?.Dispose();
        try
        {
            var admin = new ServiceBusAdministrationClient(TestServers.ServiceBusConnectionString);
            await foreach (var topic in admin.GetTopicsAsync())
                if (topic.Name.StartsWith(Scope + "/", StringComparison.OrdinalIgnoreCase)) await admin.DeleteTopicAsync(topic.Name);
            await foreach (var queue in admin.GetQueuesAsync())
                if (queue.Name.StartsWith(Scope + "/", StringComparison.OrdinalIgnoreCase)) await admin.DeleteQueueAsync(queue.Name);
        }
        catch (Exception)
        {
            // best effort: leftovers under a unique scope are harmless to other tests
        }
    }
}
