using System.Collections.Concurrent;

namespace Persisters.Scheduling.Tests.Messages;

/// <summary>Records every delivery with its headers (per test instance, keyed by message Id).</summary>
public sealed class DeliveryLog
{
    public ConcurrentQueue<(Guid Id, Guid? MessageId, DateTime At, string? Scheduled, string? Token)> Reminders { get; } = new();
    public ConcurrentQueue<(Guid? MessageId, DateTime At)> Ticks { get; } = new();
    public ConcurrentDictionary<Guid, int> WorkAttempts { get; } = new();
    public ConcurrentQueue<(Guid Id, int RedeliveryCount)> WorkDone { get; } = new();

    public int Count(Guid id) => Reminders.Count(r => r.Id == id);
}
