using System.Collections.Concurrent;
using MassTransit;

namespace Persisters.Transports.Conformance.Tests.Support;

/// <summary>One consumed message as a consumer saw it.</summary>
public sealed record Delivery(string Endpoint, Guid? MessageId, object Message, DateTime At, bool Redelivered, IReadOnlyDictionary<string, object> Headers)
{
    public T As<T>() => (T)Message;
}

/// <summary>Every delivery of one test, in arrival order, with waiting helpers.</summary>
public sealed class Deliveries
{
    private readonly ConcurrentQueue<Delivery> _all = new();

    public IReadOnlyList<Delivery> All => _all.ToArray();

    public Delivery Record<T>(string endpoint, ConsumeContext<T> context) where T : class
    {
        var headers = context.ReceiveContext.TransportHeaders.GetAll().ToDictionary(h => h.Key, h => h.Value);
        foreach (var h in context.Headers.GetAll()) headers.TryAdd(h.Key, h.Value);
        var delivery = new Delivery(endpoint, context.MessageId, context.Message, DateTime.UtcNow, context.ReceiveContext.Redelivered, headers);
        _all.Enqueue(delivery);
        return delivery;
    }

    public IReadOnlyList<Delivery> At(string endpoint) => All.Where(d => d.Endpoint == endpoint).ToArray();

    /// <summary>Polls until <paramref name="condition" /> holds on the deliveries so far; false when the time runs out.</summary>
    public Task<bool> WaitUntil(Func<IReadOnlyList<Delivery>, bool> condition, TimeSpan timeout) => Wait.Until(() => condition(All), timeout);
}

public static class Wait
{
    public static async Task<bool> Until(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (condition()) return true;
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(50);
        }
    }

    public static async Task<bool> Until(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition()) return true;
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(100);
        }
    }
}
