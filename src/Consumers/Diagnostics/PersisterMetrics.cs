using System.Diagnostics.Metrics;
using Persisters.Consumers.Validation;

namespace Persisters.Consumers.Diagnostics;

/// <summary>The persisters' instruments (meter "Persisters"), exported on /metrics.</summary>
public sealed class PersisterMetrics : IDisposable
{
    public const string MeterName = "Persisters";

    private readonly Meter _meter;

    public Meter Meter => _meter;
    private readonly Counter<long> _received;
    private readonly Counter<long> _persisted;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _goalRetries;
    private readonly Counter<long> _opsUsers;
    private readonly Histogram<double> _batchSeconds;

    public PersisterMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _received = _meter.CreateCounter<long>("persisters_events_received", description: "Events taken from the broker by a persister.");
        _persisted = _meter.CreateCounter<long>("persisters_rows_written", description: "Rows a persister added (duplicates excluded).");
        _duplicates = _meter.CreateCounter<long>("persisters_events_duplicate", description: "Events already stored (redelivered or sent twice).");
        _skipped = _meter.CreateCounter<long>("persisters_events_skipped", description: "Events not stored, by reason.");
        _goalRetries = _meter.CreateCounter<long>("persisters_goal_retries", description: "Goal events parked for a later link attempt and what became of them.");
        _opsUsers = _meter.CreateCounter<long>("persisters_ops_distinct_users_added", description: "New distinct users added to auto-ops counters.");
        _batchSeconds = _meter.CreateHistogram<double>("persisters_batch_duration", unit: "s", description: "Time to process one batch.");
    }

    public void Received(string persister, int count) => _received.Add(count, Tag(persister));
    public void Persisted(string persister, int rows) => _persisted.Add(rows, Tag(persister));
    public void Duplicates(string persister, int count) { if (count > 0) _duplicates.Add(count, Tag(persister)); }
    public void Skipped(string persister, SkipReason reason, int count = 1) =>
        _skipped.Add(count, new KeyValuePair<string, object?>("persister", persister), new KeyValuePair<string, object?>("reason", reason.Label()));
    public void GoalRetry(string outcome, int count = 1) { if (count > 0) _goalRetries.Add(count, new KeyValuePair<string, object?>("outcome", outcome)); }
    public void OpsUsersAdded(string persister, int count) { if (count > 0) _opsUsers.Add(count, Tag(persister)); }
    public void BatchDuration(string persister, TimeSpan elapsed) => _batchSeconds.Record(elapsed.TotalSeconds, Tag(persister));

    private static KeyValuePair<string, object?> Tag(string persister) => new("persister", persister);

    public void Dispose() => _meter.Dispose();
}
