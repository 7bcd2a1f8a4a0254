using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Persisters.Consumers.Diagnostics;

namespace Persisters.Tests.Support;

/// <summary>Listens to the "Persisters" meter and sums each counter by its tags.</summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new();

    public MetricRecorder(PersisterMetrics metrics)
    {
        // Only this provider's meter: tests in parallel each have their own.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags) key += $"|{tag.Key}={tag.Value}";
            _sums.AddOrUpdate(key, value, (_, old) => old + value);
        });
        _listener.Start();
    }

    /// <summary>The sum of a counter over every measurement whose tags include all of <paramref name="tags"/>.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags) =>
        _sums.Where(kv => kv.Key.Split('|')[0] == instrument && tags.All(t => kv.Key.Contains($"|{t.Key}={t.Value}")))
            .Sum(kv => kv.Value);

    public long Skipped(string persister, string reason) =>
        Sum("persisters_events_skipped", ("persister", persister), ("reason", reason));

    public void Dispose() => _listener.Dispose();
}
