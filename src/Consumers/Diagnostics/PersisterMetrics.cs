using System.Diagnostics.Metrics;
using MassTransit;
using Persisters.Consumers.Validation;

namespace Persisters.Consumers.Diagnostics;

/// <summary>
/// The persisters' instruments (meter "Persisters"), exported on /metrics by OpenTelemetry's Prometheus exporter: a counter
/// <c>persisters_x</c> is scraped as <c>persisters_x_total</c>, a histogram in seconds as <c>persisters_x_seconds_*</c>
/// (README, "What happens to each event", lists every series). Each event is counted once per outcome: received once
/// per delivery (a retried batch is not received again), then stored, duplicate, skipped (with a reason) or parked once
/// its batch commits.
/// </summary>
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
    private readonly Counter<long> _rulesTriggered;
    private readonly Counter<long> _webhookAttempts;

    public PersisterMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _received = _meter.CreateCounter<long>("persisters_events_received", description: "Events taken from the broker by a persister.");
        _persisted = _meter.CreateCounter<long>("persisters_rows_written", description: "Rows a persister added (duplicates excluded).");
        _duplicates = _meter.CreateCounter<long>("persisters_events_duplicate", description: "Events already stored (redelivered or sent twice).");
        _skipped = _meter.CreateCounter<long>("persisters_events_skipped", description: "Events not stored, by reason.");
        _goalRetries = _meter.CreateCounter<long>("persisters_goal_retries", description: "Goal events parked for a later link attempt and what became of them.");
        _opsUsers = _meter.CreateCounter<long>("persisters_ops_distinct_users_added", description: "New distinct users added to auto-ops counters.");
        _rulesTriggered = _meter.CreateCounter<long>("persisters_event_rate_rules_triggered", description: "Auto-ops rules (event-rate clauses) triggered by this process; the name predates the auto-ops vocabulary and is kept for dashboards.");
        _webhookAttempts = _meter.CreateCounter<long>("persisters_webhook_attempts", description: "Kill-switch webhook deliveries by outcome: delivered, retrying, failed.");
        _batchSeconds = _meter.CreateHistogram("persisters_batch_duration", unit: "s", description: "Time to process one batch.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    /// <summary>
    /// Events taken from the broker, counted on the first attempt of their batch only: a batch that fails and is retried
    /// (<c>Batch:RetryLimit</c>) holds the same deliveries, which were received once.
    /// </summary>
    public void Received(string persister, int count, ConsumeContext context)
    {
        if (context.GetRetryAttempt() == 0) _received.Add(count, Tag(persister));
    }
    public void Persisted(string persister, int rows) => _persisted.Add(rows, Tag(persister));
    public void Duplicates(string persister, int count) { if (count > 0) _duplicates.Add(count, Tag(persister)); }
    public void Skipped(string persister, SkipReason reason, int count = 1) =>
        _skipped.Add(count, new KeyValuePair<string, object?>("persister", persister), new KeyValuePair<string, object?>("reason", reason.Label()));
    public void GoalRetry(string outcome, int count = 1) { if (count > 0) _goalRetries.Add(count, new KeyValuePair<string, object?>("outcome", outcome)); }
    public void OpsUsersAdded(string persister, int count) { if (count > 0) _opsUsers.Add(count, Tag(persister)); }
    public void RuleTriggered() => _rulesTriggered.Add(1);
    /// <param name="outcome"><c>delivered</c> (2xx), <c>retrying</c> (failed, another attempt is scheduled), <c>failed</c> (the last attempt failed).</param>
    public void WebhookAttempt(string outcome) => _webhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    public void BatchDuration(string persister, TimeSpan elapsed) => _batchSeconds.Record(elapsed.TotalSeconds, Tag(persister));

    private static KeyValuePair<string, object?> Tag(string persister) => new("persister", persister);

    public void Dispose() => _meter.Dispose();
}
