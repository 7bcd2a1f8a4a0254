using System.Collections.Concurrent;
using MassTransit;

namespace Persisters.Tests.Shared;

/// <summary>Collects consumed messages and lets a test wait for a count.</summary>
public sealed class Collector<T>
    where T : class
{
    private readonly ConcurrentQueue<ConsumeContext<T>> _items = new();
    private readonly SemaphoreSlim _signal = new(0);

    public IReadOnlyList<ConsumeContext<T>> Items => _items.ToArray();
    public int Count => _items.Count;

    public void Add(ConsumeContext<T> context)
    {
        _items.Enqueue(context);
        _signal.Release();
    }

    /// <summary>Waits until at least <paramref name="count"/> messages arrived; fails the test after the timeout.</summary>
    public async Task WaitFor(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (_items.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                Assert.Fail($"Expected {count} {typeof(T).Name} message(s), got {_items.Count} within the timeout.");
            await _signal.WaitAsync(left);
        }
    }
}

public sealed class CollectingConsumer<T>(Collector<T> collector) : IConsumer<T>
    where T : class
{
    public Task Consume(ConsumeContext<T> context)
    {
        collector.Add(context);
        return Task.CompletedTask;
    }
}
