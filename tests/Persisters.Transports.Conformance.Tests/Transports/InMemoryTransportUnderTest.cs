using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace Persisters.Transports.Conformance.Tests.Transports;

/// <summary>
/// MassTransit's in-memory transport. Every bus has its own message fabric, so a fresh bus is a fresh namespace; it is
/// not durable (nothing outlives the process) and has no size limit. Delay is native (the fabric delivers late), so the
/// scheduler is MassTransit's delayed scheduler over it. The "broker" view is the fabric's own: the receivers attached
/// to a queue, read from the bus's probe.
/// </summary>
public sealed class InMemoryTransportUnderTest : ITransportUnderTest
{
    private readonly List<IBusRegistrationContext> _buses = [];

    public string Name => "InMemory";

    public Task InitializeAsync() => Task.CompletedTask;

    public void UseTransport(IBusRegistrationConfigurator x, Action<IBusRegistrationContext, IBusFactoryConfigurator> configure) =>
        x.UsingInMemory((context, cfg) =>
        {
            lock (_buses) _buses.Add(context);
            configure(context, cfg);
        });

    public void AddScheduler(IBusRegistrationConfigurator x) => x.AddDelayedMessageScheduler();

    public void UseScheduler(IBusRegistrationContext context, IBusFactoryConfigurator cfg) => cfg.UseDelayedMessageScheduler();

    public MessageSizeLimit? SizeLimit => null;

    /// <summary>
    /// Receivers connected to the queue in the message fabric (summed over this test's buses, each with its own fabric).
    /// The fabric keeps no message count the probe shows, and it has no receive calls.
    /// </summary>
    public Task<QueueObservation> ObserveQueueAsync(string queue)
    {
        IBusRegistrationContext[] buses;
        lock (_buses) buses = _buses.ToArray();
        long consumers = 0;
        foreach (var context in buses)
        {
            if (context.GetRequiredService<IBus>() is not IProbeSite site) throw new InvalidOperationException("The in-memory bus is not a probe site.");
            using var probe = JsonDocument.Parse(JsonSerializer.Serialize(site.GetProbeResult().Results));
            var fabric = probe.RootElement.GetProperty("bus").GetProperty("host").GetProperty("messageFabric");
            if (!fabric.TryGetProperty("queue", out var queues)) continue;
            foreach (var q in OneOrMany(queues))
            {
                if (q.GetProperty("name").GetString() == queue && q.TryGetProperty("receiver", out var receivers))
                    consumers += OneOrMany(receivers).Count();
            }
        }
        return Task.FromResult(new QueueObservation(consumers, null, null));
    }

    /// <summary>A probe writes one entry as an object and several as an array.</summary>
    private static IEnumerable<JsonElement> OneOrMany(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().ToArray() : [element];

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
