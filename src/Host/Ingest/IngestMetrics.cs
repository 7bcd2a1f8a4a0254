using System.Diagnostics.Metrics;
using Persisters.Consumers.Diagnostics;

namespace Persisters.Host.Ingest;

/// <summary>
/// The front door's instruments (meter <c>Persisters</c>, on /metrics): <c>persisters_ingest_requests_total{endpoint,status}</c>,
/// <c>persisters_ingest_events_accepted_total{endpoint,kind}</c> (published),
/// <c>persisters_ingest_events_rejected_total{endpoint,kind,reason}</c> (answered as rejected, never published) and
/// <c>persisters_ingest_events_ignored_total{endpoint,type}</c> (Bucketeer event types acknowledged but not stored).
/// </summary>
public sealed class IngestMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _ignored;

    public IngestMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(PersisterMetrics.MeterName);
        _requests = meter.CreateCounter<long>("persisters_ingest_requests", description: "HTTP ingestion requests, by endpoint and answer status.");
        _accepted = meter.CreateCounter<long>("persisters_ingest_events_accepted", description: "Events accepted at the door and published.");
        _rejected = meter.CreateCounter<long>("persisters_ingest_events_rejected", description: "Events rejected at the door, by reason (never published).");
        _ignored = meter.CreateCounter<long>("persisters_ingest_events_ignored", description: "Bucketeer events of a type not stored (metrics), acknowledged.");
    }

    public void Request(string endpoint, int status) =>
        _requests.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("status", status));

    public void Accepted(string endpoint, string kind, int count)
    {
        if (count > 0) _accepted.Add(count, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("kind", kind));
    }

    public void Rejected(string endpoint, string kind, string reason) =>
        _rejected.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("kind", kind),
            new KeyValuePair<string, object?>("reason", reason));

    public void Ignored(string endpoint, string type, int count = 1) =>
        _ignored.Add(count, new KeyValuePair<string, object?>("endpoint", endpoint), new KeyValuePair<string, object?>("type", type));
}
