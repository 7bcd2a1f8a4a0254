using Persisters.Contracts;
using Persisters.Tests.Support;

namespace Persisters.Tests.Persisters;

public sealed class When_evaluation_events_reach_the_dwh_persister
{
    private const string Dwh = "evaluation-events-dwh";

    [Fact]
    public async Task An_event_of_a_running_experiment_is_stored_with_the_reference_defaults()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var e = Events.Evaluation(now - 10) with { VariationId = "", Tag = "", UserId = "", User = new UserInfo { Id = "from-user", Data = new Dictionary<string, string> { ["k"] = "v" } } };

        await h.PublishAsync(e);

        var row = Assert.Single(await h.EvaluationRowsAsync());
        Assert.Equal(e.Id, row.Id);
        Assert.Equal("default", row.VariationId);
        Assert.Equal("none", row.Tag);
        Assert.Equal("from-user", row.UserId);
        Assert.Equal("RULE", row.Reason);
        Assert.Equal("JAVASCRIPT", row.SourceId);
        Assert.Equal("{\"k\":\"v\"}", row.UserData);
        Assert.Equal(now - 10, row.Timestamp);
        Assert.Equal(1, h.Metrics.Sum("persisters_rows_written", ("persister", Dwh)));
    }

    [Fact]
    public async Task The_same_event_sent_again_in_the_same_or_a_later_batch_is_stored_once()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var e = Events.Evaluation(now - 10);

        await h.PublishAsync(e, e, e);
        await h.PublishAsync(e);

        Assert.Single(await h.EvaluationRowsAsync());
        Assert.Equal(3, h.Metrics.Sum("persisters_events_duplicate", ("persister", Dwh)));
    }

    [Fact]
    public async Task Ids_that_differ_only_in_case_are_two_events()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));

        await h.PublishAsync(Events.Evaluation(now - 10, id: "abc"), Events.Evaluation(now - 10, id: "ABC"));

        Assert.Equal(2, (await h.EvaluationRowsAsync()).Count);
    }

    [Fact]
    public async Task Events_no_live_experiment_needs_are_skipped_with_their_reason()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now, startAt: now - 100, stopAt: now - 50, status: ExperimentStatus.Stopped));

        await h.PublishAsync(
            Events.Evaluation(now - 75, version: 2),                      // other flag version
            Events.Evaluation(now - 75, feature: "other-flag"),           // flag without experiment
            Events.Evaluation(now - 75) with { EnvironmentId = "env-2" }, // environment without experiments
            Events.Evaluation(now - 10),                                  // after stop_at
            Events.Evaluation(now - 200),                                 // before start_at
            Events.Evaluation(now - 75, id: "kept"));                     // stopped, inside the late-event tail

        Assert.Equal("kept", Assert.Single(await h.EvaluationRowsAsync()).Id);
        Assert.Equal(2, h.Metrics.Skipped(Dwh, "experiment_not_found"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "unknown_environment"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "after_experiment_ended"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "before_experiment_started"));
    }

    [Theory]
    [InlineData(ExperimentStatus.Waiting)]
    [InlineData(ExperimentStatus.ForceStopped)]
    [InlineData(ExperimentStatus.Finished)]
    public async Task Experiments_that_do_not_run_take_no_events(ExperimentStatus status)
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now, status: status));

        await h.PublishAsync(Events.Evaluation(now - 10));

        Assert.Empty(await h.EvaluationRowsAsync());
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "unknown_environment"));
    }

    [Fact]
    public async Task A_stopped_experiment_past_its_late_event_tail_takes_no_events()
    {
        await using var h = await PersisterHarness.StartAsync(o => o.LateEventTail = TimeSpan.FromMinutes(1));
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now, startAt: now - 3600, stopAt: now - 120, status: ExperimentStatus.Stopped));

        await h.PublishAsync(Events.Evaluation(now - 600));

        Assert.Empty(await h.EvaluationRowsAsync());
    }

    [Fact]
    public async Task Every_kind_of_bad_input_is_skipped_with_its_reason_and_the_rest_of_the_batch_is_stored()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var good = Enumerable.Range(0, 5).Select(i => Events.Evaluation(now - 10, user: $"u{i}")).ToArray();
        var bad = new[]
        {
            Events.Evaluation(now - 10) with { Id = "" },
            Events.Evaluation(now - 10) with { EnvironmentId = "" },
            Events.Evaluation(now - 10) with { FeatureId = "" },
            Events.Evaluation(now - 10) with { UserId = "", User = null },
            Events.Evaluation(now - 10) with { Id = new string('x', 256) },
            Events.Evaluation(now - 10) with { EnvironmentId = new string('e', 65) },
            Events.Evaluation(now - 10) with { Timestamp = 0 },
            Events.Evaluation(now + 7200),
            Events.Evaluation(now - 10) with { User = new UserInfo { Id = "u", Data = new Dictionary<string, string> { ["big"] = new string('d', 70_000) } } },
        };

        await h.PublishAsync(good.Take(2).Concat(bad).Concat(good.Skip(2)).ToArray());

        Assert.Equal(good.Select(g => g.Id).Order(), (await h.EvaluationRowsAsync()).Select(r => r.Id).Order());
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "missing_id"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "missing_environment"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "missing_feature"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "missing_user"));
        Assert.Equal(2, h.Metrics.Skipped(Dwh, "field_too_long"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "invalid_timestamp"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "timestamp_in_future"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "user_data_too_large"));
    }

    [Fact]
    public async Task Events_sent_together_in_one_envelope_are_treated_as_if_sent_alone()
    {
        await using var h = await PersisterHarness.StartAsync();
        var now = h.Clock.UnixNow;
        await h.SeedAsync(Events.Experiment(now));
        var a = Events.Evaluation(now - 10, user: "a");
        var b = Events.Evaluation(now - 10, user: "b");
        await h.PublishAsync(a);

        await h.PublishAsync(new EvaluationEventBatch { Events = [a, b, b, Events.Evaluation(now - 10) with { Id = "" }, Events.Evaluation(now - 10, feature: "other")] });

        Assert.Equal(new[] { a.Id, b.Id }.Order(), (await h.EvaluationRowsAsync()).Select(r => r.Id).Order());
        Assert.Equal(2, h.Metrics.Sum("persisters_events_duplicate", ("persister", Dwh)));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "missing_id"));
        Assert.Equal(1, h.Metrics.Skipped(Dwh, "experiment_not_found"));
    }
}
