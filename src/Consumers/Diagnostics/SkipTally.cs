using Microsoft.Extensions.Logging;
using Persisters.Consumers.Validation;
using Persisters.Persistence;

namespace Persisters.Consumers.Diagnostics;

/// <summary>Collects the skips of one batch; reports them as metrics and one structured log line.</summary>
public sealed class SkipTally(string persister)
{
    private readonly Dictionary<SkipReason, int> _counts = [];
    private readonly List<(SkipReason Reason, string EventId)> _badInput = [];

    public int Total { get; private set; }

    public void Add(SkipReason reason, string eventId)
    {
        _counts[reason] = _counts.GetValueOrDefault(reason) + 1;
        Total++;
        if (reason.IsBadInput() && _badInput.Count < 20) _badInput.Add((reason, eventId));
    }

    public void Report(PersisterMetrics metrics, ILogger logger, int batchSize)
    {
        if (Total == 0) return;
        foreach (var (reason, count) in _counts) metrics.Skipped(persister, reason, count);

        var summary = string.Join(", ", _counts.OrderBy(c => c.Key).Select(c => $"{c.Key.Label()}={c.Value}"));
        if (_badInput.Count > 0)
        {
            logger.LogWarning("{Persister} skipped {Skipped} of {BatchSize} events ({Reasons}); bad input, first ids: {Examples}",
                persister, Total, batchSize, summary, string.Join(", ", _badInput.Select(b => $"{b.Reason.Label()}:{Shorten(b.EventId)}")));
        }
        else
        {
            logger.LogDebug("{Persister} skipped {Skipped} of {BatchSize} events ({Reasons})", persister, Total, batchSize, summary);
        }
    }

    // 64 characters and "…", never half an emoji.
    private static string Shorten(string id) => string.IsNullOrEmpty(id) ? "(none)" : ColumnText.Shorten(id, 65);
}
