using Microsoft.EntityFrameworkCore;
using Persisters.Tests.Support;

namespace Persisters.Tests.Diagnostics;

/// <summary>Issue 11, item 6: a batch that fails and is retried holds the same deliveries; each is received once.</summary>
public sealed class When_a_batch_is_retried
{
    private const string Dwh = "evaluation-events-dwh";

    [Fact]
    public async Task Its_events_are_received_once_and_stored_once()
    {
        await using var h = await PersisterHarness.StartAsync(o => o.Batch.RetryLimit = 5);
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var events = Enumerable.Range(0, 9).Select(i => Events.Evaluation(now - 10, user: $"u{i}")).ToList();

        // The table is gone while the first attempts run (as if the database refused them), and back for a later retry.
        await h.QueryAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE evaluation_event RENAME TO evaluation_event_away"));
        foreach (var e in events) await h.Harness.Bus.Publish(e);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (h.Metrics.Sum("persisters_events_received", ("persister", Dwh)) < events.Count && DateTime.UtcNow < deadline) await Task.Delay(20);
        await Task.Delay(700); // at least one retry (the first comes after 200 ms)
        await h.QueryAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE evaluation_event_away RENAME TO evaluation_event"));

        deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await h.EvaluationRowsAsync()).Count < events.Count && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(events.Count, (await h.EvaluationRowsAsync()).Count);
        Assert.Equal(events.Count, h.Metrics.Sum("persisters_events_received", ("persister", Dwh)));
        Assert.Equal(events.Count, h.Metrics.Sum("persisters_rows_written", ("persister", Dwh)));
    }
}
